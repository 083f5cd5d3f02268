#!/usr/bin/env node
// `npm start`: the desktop app where Electron can run, the same UI in a browser where it cannot.
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const nativeDir = join(root, '.electron-native', 'better-sqlite3');
const BUILT_FILES = ['out/main/index.js', 'out/preload/index.js', 'out/renderer/index.html'];
const SOURCES = ['src', 'electron.vite.config.ts', 'package.json'];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(info.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

function ensureBuilt() {
  const built = BUILT_FILES.map((file) => join(root, file));
  const oldestOutput = Math.min(...built.map((file) => (existsSync(file) ? statSync(file).mtimeMs : 0)));
  const newestSource = Math.max(...SOURCES.map((path) => newestMtime(join(root, path))));
  if (oldestOutput > newestSource) return;
  console.log('Building the app (electron-vite build)…');
  const result = spawnSync(
    process.execPath,
    [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    console.error('The build failed; see the errors above.');
    process.exit(1);
  }
}

/** The Electron executable, or the reason there is none. Electron 45 downloads it on first use. */
function findElectron() {
  // require('electron') may print download progress first; the path is on the marked line.
  const located = spawnSync(
    process.execPath,
    ['-e', "process.stdout.write('\\nELECTRON_PATH=' + require('electron'))"],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  const binary =
    located.status === 0 ? (/^ELECTRON_PATH=(.+)$/m.exec(located.stdout)?.[1]?.trim() ?? '') : '';
  if (!binary || !existsSync(binary)) {
    return { reason: 'The Electron runtime is not available on this machine (it could not be downloaded)' };
  }
  const version = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 15_000, env: electronEnv() });
  if (version.status !== 0)
    return { reason: `The Electron runtime at ${binary} does not run on this machine` };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'This machine has no graphical display for the Electron window' };
  }
  return { binary, version: version.stdout.trim().replace(/^v/, '') };
}

function electronEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  delete env.ELECTRON_RUN_AS_NODE;
  return env;
}

/**
 * better-sqlite3 built for Electron's ABI, in .electron-native/ so that node_modules keeps the
 * Node-ABI build the tests and the CLI load. Rebuilt only when Electron's version changes.
 */
function electronSqliteBinding(electronVersion) {
  const binding = join(nativeDir, 'build', 'Release', 'better_sqlite3.node');
  const marker = join(nativeDir, '.built-for-electron');
  if (existsSync(binding) && existsSync(marker) && readFileSync(marker, 'utf8') === electronVersion)
    return { binding };

  console.log(
    `Building better-sqlite3 for Electron ${electronVersion} in .electron-native/ (first run only)…`,
  );
  const source = join(root, 'node_modules', 'better-sqlite3');
  rmSync(nativeDir, { recursive: true, force: true });
  mkdirSync(dirname(nativeDir), { recursive: true });
  cpSync(source, nativeDir, {
    recursive: true,
    filter: (path) => relative(source, path).split(/[\\/]/)[0] !== 'build',
  });
  const env = { ...process.env };
  // npm passes its config to scripts as npm_config_*; a global `nodedir` would make node-gyp build
  // against Node's headers instead of Electron's.
  for (const name of Object.keys(env))
    if (/^npm_config_(nodedir|target|runtime|disturl|dist_url)$/i.test(name)) delete env[name];
  const gyp = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules/node-gyp/bin/node-gyp.js'),
      'rebuild',
      '--release',
      `--target=${electronVersion}`,
      '--dist-url=https://electronjs.org/headers',
      '--runtime=electron',
    ],
    { cwd: nativeDir, stdio: 'inherit', env },
  );
  if (gyp.status !== 0 || !existsSync(binding)) {
    return {
      reason: `better-sqlite3 could not be built for Electron ${electronVersion} (see the node-gyp output above)`,
    };
  }
  writeFileSync(marker, electronVersion);
  return { binding };
}

function freePort(preferred) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => (preferred === 0 ? resolve(0) : freePort(0).then(resolve)));
    probe.listen(preferred, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

// Children get their own process group, so a Ctrl-C reaches them once, relayed from here, instead of
// twice (from the terminal and from us), which would cut their shutdown short.
const OWN_GROUP = process.platform !== 'win32';

function relaySignals(child) {
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

/** Best effort: a desktop without Electron still has a browser to open the page in. */
function launchBrowser(url) {
  const hasDisplay = process.platform !== 'linux' || process.env.DISPLAY || process.env.WAYLAND_DISPLAY;
  if (!hasDisplay) return;
  const [command, ...args] =
    process.platform === 'darwin'
      ? ['open', url]
      : process.platform === 'win32'
        ? ['cmd', '/c', 'start', '', url]
        : ['xdg-open', url];
  const opener = spawn(command, args, { stdio: 'ignore', detached: true });
  opener.on('error', () => {});
  opener.unref();
}

async function openInBrowser(reason) {
  const port = await freePort(Number(process.env.RTC_TRIAGE_PORT) || 7357);
  const child = spawn(
    process.execPath,
    [join(root, 'bin/rtc-triage.cjs'), 'serve', '--host', '127.0.0.1', '--port', String(port)],
    {
      cwd: root,
      stdio: ['inherit', 'pipe', 'inherit'],
      detached: OWN_GROUP,
    },
  );
  // serve announces its own URL (with its access token); the sentence below says it once, with the reason.
  const announced = /^RTC Triage is running at (\S+)/;
  createInterface({ input: child.stdout }).on('line', (line) => {
    const url = announced.exec(line)?.[1];
    if (!url) {
      console.log(line);
      return;
    }
    console.log(`${reason}, so RTC Triage opens in your browser instead: ${url} (Ctrl-C to stop)`);
    launchBrowser(url);
  });
  relaySignals(child);
}

ensureBuilt();
const electron = findElectron();
if ('reason' in electron) {
  await openInBrowser(electron.reason);
} else {
  const sqlite = electronSqliteBinding(electron.version);
  if ('reason' in sqlite) {
    await openInBrowser(sqlite.reason);
  } else {
    const child = spawn(electron.binary, ['.'], {
      cwd: root,
      stdio: 'inherit',
      detached: OWN_GROUP,
      env: electronEnv({ RTC_TRIAGE_SQLITE_BINDING: sqlite.binding }),
    });
    relaySignals(child);
  }
}
