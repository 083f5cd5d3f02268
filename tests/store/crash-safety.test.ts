import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-crash-'));
const child = join(dir, 'crash-child.cjs');
const KILLS = 60;

beforeAll(async () => {
  await build({
    entryPoints: [join(__dirname, 'fixtures', 'crash-child.ts')],
    outfile: child,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    logLevel: 'warning',
  });
});

/** Deterministic random (mulberry32): the same kill points on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Starts the child, SIGKILLs it after `killAfter` committed ids (or `ready` + a few lines), returns the ids. */
function runAndKill(db: string, round: number, mode: string, killAfter: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, db, String(round), mode], {
      cwd: join(__dirname, '..', '..'),
      // The bundle lives in a temporary folder: npm packages come from this checkout.
      env: { ...process.env, NODE_PATH: join(__dirname, '..', '..', 'node_modules') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const committed: string[] = [];
    let buffer = '';
    let stderr = '';
    let killed = false;
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) if (line && line !== 'ready') committed.push(line);
      if (!killed && committed.length >= killAfter) {
        killed = true;
        proc.kill('SIGKILL');
      }
    });
    // Lines already read when the kill lands are committed too; the pipe may still deliver a few.
    proc.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited on its own: ${stderr}`));
      else resolve(committed);
    });
  });
}

describe('crash safety (SIGKILL while attempts are written)', () => {
  it(`keeps the database intact and every committed attempt, over ${KILLS} kills`, async () => {
    const db = join(dir, 'history.db');
    const rand = random(20260101);
    const reported = new Set<string>();
    for (let round = 0; round < KILLS; round++) {
      const mode = round % 3 === 2 ? 'batch' : 'single';
      const killAfter = 1 + Math.floor(rand() * (mode === 'batch' ? 200 : 60));
      for (const id of await runAndKill(db, round, mode, killAfter)) reported.add(id);

      const check = new BetterSqlite3(db);
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(check.pragma('foreign_key_check')).toEqual([]);
      const present = new Set(check.prepare('SELECT id FROM attempts').pluck().all() as string[]);
      const missing = [...reported].filter((id) => !present.has(id));
      expect(missing).toEqual([]);
      // The buckets were written in the same transactions as the attempts.
      const counted = check.prepare("SELECT count(*) FROM attempts WHERE outcome <> 'aborted'").pluck().get();
      expect(check.prepare('SELECT coalesce(sum(attempts), 0) FROM attempt_buckets').pluck().get()).toBe(
        counted,
      );
      check.close();
    }
    expect(reported.size).toBeGreaterThan(KILLS);
  }, 240_000);
});
