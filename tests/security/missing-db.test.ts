import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli';

// Issue 19: a mistyped --db path silently created a new empty database for a read-only command, so
// `history` answered from nothing. Reading commands now refuse a missing file and create nothing.
const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-missing-db-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('read-only commands refuse a history database that does not exist', () => {
  for (const command of ['history', 'export'] as const) {
    it(`${command} --db <typo>: exit 2 naming the path, nothing created`, async () => {
      const typo = join(dir, `histroy-${command}.db`);
      const extra = command === 'export' ? ['--out', join(dir, `${command}.zip`)] : [];
      const run = await runCli([command, '--db', typo, ...extra]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`there is no history at ${typo}`);
      expect(existsSync(typo)).toBe(false);
      expect(existsSync(`${typo}-wal`)).toBe(false);
    });
  }
});
