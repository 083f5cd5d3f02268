import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli';
import { skipUnlessIsolated } from '../helpers/isolation';

// Issue 19: `history` created the data dir 0755 and the db 0644; a read-only database could not even
// be read; damaged pages went unnoticed; on a full disk progress said "ok" for attempts that were never
// stored (3 printed, 2 stored) and a failed export crashed on a closed database.

const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;
const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-at-rest-'));
const configPath = join(dir, 'config.json');
/** A store full of attempts in a second: 29 STUN servers on closed loopback ports, one attempt each. */
const CONFIG = {
  targets: Array.from({ length: 29 }, (_, i) => ({ kind: 'stun', url: `stun:127.0.0.${i + 1}:9` })),
  timeouts: { stunMs: 300 },
  retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
};
let filled: string;

const mode = (path: string) => statSync(path).mode & 0o777;
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const attemptsIn = (path: string) => {
  const db = new BetterSqlite3(path, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM attempts').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

/** The real bin under `ulimit -f` (KiB) with SIGXFSZ ignored: writes past the limit fail with EFBIG, as on a full disk. */
function runWithFileLimit(
  kib: number,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', `trap '' XFSZ; ulimit -f ${kib}; exec ${quoted}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, RTC_TRIAGE_DATA_DIR: join(dir, 'limited-data') },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  writeFileSync(configPath, JSON.stringify(CONFIG));
  filled = join(dir, 'filled', 'history.db');
  // three runs: a bundle of them is larger than the -shm file a reader needs (32 KiB)
  for (let i = 0; i < 3; i++) {
    const run = await runCli(['diagnose', '--config', configPath, '--db', filled], {
      env: { RTC_TRIAGE_DATA_DIR: join(dir, 'filled') },
    });
    expect(run.code).toBe(1);
  }
  expect(attemptsIn(filled)).toBeGreaterThan(3 * 29);
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(skipUnlessIsolated('the data-at-rest tests'))('history at rest (issue 19)', () => {
  it('a new history gets a private folder and file (0700 / 0600), -wal and -shm included', () => {
    expect(mode(join(dir, 'filled'))).toBe(0o700);
    for (const file of readdirSync(join(dir, 'filled')).filter((f) => f.startsWith('history.db')))
      expect({ file, mode: mode(join(dir, 'filled', file)).toString(8) }).toEqual({ file, mode: '600' });
  });

  it('an existing history left world-readable is made private when it is next written', async () => {
    const folder = join(dir, 'open');
    mkdirSync(folder, { mode: 0o755 });
    const db = join(folder, 'history.db');
    copyFileSync(filled, db);
    chmodSync(db, 0o644);
    await runCli(['diagnose', '--config', configPath, '--db', db], { env: { RTC_TRIAGE_DATA_DIR: folder } });
    expect(mode(db)).toBe(0o600);
    // a folder the user chose is theirs: it is not changed
    expect(mode(folder)).toBe(0o755);
  });

  it.skipIf(!asRoot)(
    'a read-only history (read-only folder, another owner) is read by history and export',
    async () => {
      chmodSync(dir, 0o755); // (mkdtemp made it 0700: nobody could not reach the copy at all)
      const folder = join(dir, 'readonly');
      mkdirSync(folder);
      const db = join(folder, 'history.db');
      copyFileSync(filled, db);
      chownSync(folder, NOBODY, NOBODY);
      chownSync(db, NOBODY, NOBODY);
      chmodSync(db, 0o444);
      chmodSync(folder, 0o555);
      const outDir = join(dir, 'readonly-out');
      mkdirSync(outDir);
      chownSync(outDir, NOBODY, NOBODY);
      const before = sha(db);
      const asNobody = (args: string[]) =>
        new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
          const child = spawn(process.execPath, [BIN, ...args], {
            uid: NOBODY,
            gid: NOBODY,
            cwd: '/',
            env: { ...process.env, RTC_TRIAGE_DATA_DIR: outDir, HOME: outDir },
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
          child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          child.once('exit', (code) => resolve({ code, stdout, stderr }));
        });
      const history = await asNobody(['history', '--db', db, '--json']);
      expect(history.stderr).toBe('');
      expect(JSON.parse(history.stdout)).toMatchObject({ verdict: { kind: 'infrastructure-outage' } });
      const exported = await asNobody(['export', '--db', db, '--out', join(outDir, 'b.zip')]);
      expect(exported.stderr).toBe('');
      expect(exported.code).toBe(0);
      expect(existsSync(join(outDir, 'b.zip'))).toBe(true);
      // a destination it may not write: the reason, no crash on the database closed under the zip
      const refused = await asNobody(['export', '--db', db, '--out', join(dir, 'not-yours.zip')]);
      expect(refused.code).toBe(3);
      expect(refused.stderr).toMatch(
        /^rtc-triage: cannot write the bundle .*not-yours\.zip: EACCES[^\n]*\n$/,
      );
      // nothing was written next to it, and no private copy is left behind
      expect(readdirSync(folder)).toEqual(['history.db']);
      expect(sha(db)).toBe(before);
      expect(readdirSync(tmpdir()).filter((f) => f.startsWith('rtc-triage-read-'))).toEqual([]);
    },
  );

  it('a damaged page is refused at open with the reason, and the file is left as it was', async () => {
    const db = join(dir, 'damaged.db');
    copyFileSync(filled, db);
    const schema = new BetterSqlite3(db, { readonly: true });
    const root = (
      schema.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'attempts'").get() as {
        rootpage: number;
      }
    ).rootpage;
    const pageSize = schema.pragma('page_size', { simple: true }) as number;
    schema.close();
    const bytes = readFileSync(db);
    bytes.fill(0xff, (root - 1) * pageSize, (root - 1) * pageSize + 16);
    writeFileSync(db, bytes);
    const before = sha(db);
    for (const args of [
      ['history', '--db', db],
      ['export', '--db', db, '--out', join(dir, 'damaged.zip')],
      ['diagnose', '--config', configPath, '--db', db],
    ]) {
      const run = await runCli(args, { env: { RTC_TRIAGE_DATA_DIR: join(dir, 'damaged-data') } });
      expect({ command: args[0], code: run.code }).toEqual({ command: args[0], code: 3 });
      expect(run.stderr).toMatch(
        /the history database .*damaged\.db is damaged \(SQLite quick_check: Tree \d+ page/,
      );
      expect(run.stderr).toContain('it was not modified');
      expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(sha(db)).toBe(before);
    }
    expect(existsSync(join(dir, 'damaged.zip'))).toBe(false);
  });

  it('on a full disk, progress shows only stored attempts and the run stops with the reason', async () => {
    for (const kib of [150, 200, 260]) {
      const db = join(dir, `full-${kib}`, 'history.db');
      const run = await runWithFileLimit(kib, ['diagnose', '--config', configPath, '--db', db]);
      const progress = run.stderr.split('\n').filter((line) => /^ {2}(ok|FAIL|skip) /.test(line));
      const stored = attemptsIn(db);
      expect({ kib, code: run.code, progress: progress.length }).toEqual({ kib, code: 3, progress: stored });
      expect(run.stderr).toContain(`cannot store the diagnosis in the history database ${db}`);
      expect(run.stderr).toContain(`${stored} attempt(s) were stored and are kept`);
      expect(run.stderr).not.toMatch(/\n\s+at |internal error/);
      expect(run.stdout).toBe('');
    }
  });

  it('an export that fails part way (full disk) says so, leaves no partial file and does not crash', async () => {
    const out = join(dir, 'full-export');
    mkdirSync(out);
    // 48 KiB: the database opens (its -shm is 32 KiB), the bundle of three runs does not fit
    const run = await runWithFileLimit(48, [
      'export',
      '--no-redact',
      '--db',
      filled,
      '--out',
      join(out, 'b.zip'),
    ]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^rtc-triage: cannot write the bundle .*b\.zip: .*\n$/);
    expect(run.stderr).not.toContain('connection is not open');
    expect(readdirSync(out)).toEqual([]);
  });
});
