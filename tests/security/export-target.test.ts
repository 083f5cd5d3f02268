import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/core/store/history';
import { runCli } from '../helpers/cli';

// Issue 19: `export --out /nonexistent/dir/x.zip` printed its message and then crashed with a stack
// trace ("The database connection is not open"); `--out /dev/full` replaced the device node with a
// regular file. The destination is now checked before anything is read or written.
const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-export-target-'));
const db = join(dir, 'history.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => HistoryStore.open(db, { retentionDays: 0 }).close());

async function refused(out: string, why: RegExp) {
  const run = await runCli(['export', '--db', db, '--out', out]);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(new RegExp(`cannot write the bundle .*: ${why.source}`));
  expect(run.stderr).not.toMatch(/\n\s+at |database connection is not open|internal error/);
  expect(run.stdout).toBe('');
}

describe('export refuses a destination it cannot replace safely', () => {
  it('a folder that does not exist', async () => {
    await refused(join(dir, 'nonexistent', 'dir', 'x.zip'), /the folder .*nonexistent\/dir does not exist/);
  });

  it('a folder, and a symbolic link (its target left as it was)', async () => {
    const folder = join(dir, 'a-folder.zip');
    mkdirSync(folder);
    await refused(folder, /it exists and is not a regular file/);
    const target = join(dir, 'precious.txt');
    writeFileSync(target, 'keep me');
    const link = join(dir, 'link.zip');
    symlinkSync(target, link);
    await refused(link, /it exists and is not a regular file/);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('keep me');
  });

  // a device node of our own (the same device as /dev/full), never the real /dev/full
  it.skipIf(process.getuid?.() !== 0)('a device node stays a device node', async () => {
    const device = join(dir, 'full');
    execFileSync('mknod', [device, 'c', '1', '7']);
    await refused(device, /it exists and is not a regular file/);
    expect(lstatSync(device).isCharacterDevice()).toBe(true);
  });

  it('an existing regular file is replaced by the bundle, as before', async () => {
    const out = join(dir, 'old.zip');
    writeFileSync(out, 'old');
    const run = await runCli(['export', '--db', db, '--out', out]);
    expect(run.code).toBe(0);
    expect(readFileSync(out).subarray(0, 2).toString()).toBe('PK');
  });
});
