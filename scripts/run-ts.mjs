// Runs a TypeScript entry (a benchmark) under plain Node 20: esbuild bundles it into a temp .cjs inside
// node_modules/.cache (so its external packages resolve, for require() and import() alike), then Node
// runs it — in a loopback-only network namespace when this machine allows one, since benchmarks open
// real sockets and RTCPeerConnections.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { namespaceFlags, runIsolated } from './loopback-namespace.mjs';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs FILE.ts [args…]');
  process.exit(2);
}
const cache = join(process.cwd(), 'node_modules', '.cache');
mkdirSync(cache, { recursive: true });
const dir = mkdtempSync(join(cache, 'run-ts-'));
const outfile = join(dir, `${basename(entry, '.ts')}.cjs`);
try {
  await build({
    entryPoints: [resolve(entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  const env = {
    ...process.env,
    RTC_TRIAGE_RESOURCES: process.env.RTC_TRIAGE_RESOURCES ?? join(process.cwd(), 'resources'),
  };
  const argv = [process.execPath, '--expose-gc', outfile, ...args];
  const flags = process.env.RTC_TRIAGE_NETNS === '1' ? null : namespaceFlags();
  if (flags) {
    process.exitCode = runIsolated(flags, argv, env);
  } else {
    if (process.env.RTC_TRIAGE_NETNS !== '1') {
      console.warn('warning: no network namespace available here; running without isolation');
    }
    process.exitCode = spawnSync(argv[0], argv.slice(1), { stdio: 'inherit', env }).status ?? 1;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
