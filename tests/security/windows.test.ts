import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/core/store/history';
import { runCli } from '../helpers/cli';

// Issue 19: `history --since 99999999999d` allocated 3.4 GB and died; the API caps a window at 400
// days, the CLI did not. Every face now takes the same bound (HISTORY_WINDOW_MS).
const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-windows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('history windows are bounded in every face', () => {
  for (const command of ['history', 'export'] as const) {
    for (const since of ['99999999999d', '401d', '30s', '0m']) {
      it(`${command} --since ${since}: refused with exit 2, the flag and the range named, nothing written`, async () => {
        const db = join(dir, `${command}-${since}.db`);
        const out = join(dir, `${command}-${since}.zip`);
        const args = [command, '--since', since, '--db', db, ...(command === 'export' ? ['--out', out] : [])];
        const run = await runCli(args);
        expect(run.code).toBe(2);
        expect(run.stderr).toContain(`--since: "${since}" is out of range (1m to 400d)`);
        expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
        expect(existsSync(out)).toBe(false);
      });
    }
  }

  it('the edges are accepted: history --since 400d and --since 1m', async () => {
    HistoryStore.open(join(dir, 'edges.db'), { retentionDays: 0 }).close();
    for (const since of ['400d', '1m']) {
      const run = await runCli(['history', '--since', since, '--json', '--db', join(dir, 'edges.db')]);
      expect(run.stderr).not.toContain('out of range');
      expect(JSON.parse(run.stdout)).toMatchObject({ schema: 'rtc-triage/history@1' });
    }
  });
});
