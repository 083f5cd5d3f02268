import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportCommand, EXPORT_HELP } from '../../src/cli/commands/export';
import { inspectCommand, INSPECT_HELP } from '../../src/cli/commands/inspect';
import { UsageError } from '../../src/core/errors';
import { SECRET_ADDRESSES, buildHistory, captureIo, tempDir } from './fixture';

let dir: string;
let dbPath: string;
let dataDir: string;
const savedDataDir = process.env.RTC_TRIAGE_DATA_DIR;

beforeEach(() => {
  dir = tempDir();
  ({ dbPath } = buildHistory(dir));
  // inspect must never touch the user's own history: point it at an empty folder and watch it.
  dataDir = join(dir, 'data');
  process.env.RTC_TRIAGE_DATA_DIR = dataDir;
});
afterEach(() => {
  if (savedDataDir === undefined) delete process.env.RTC_TRIAGE_DATA_DIR;
  else process.env.RTC_TRIAGE_DATA_DIR = savedDataDir;
});

describe('rtc-triage export / inspect', () => {
  it('exports a redacted bundle and inspects it, as text and JSON', async () => {
    const out = join(dir, 'ticket.zip');
    const e = captureIo();
    expect(await exportCommand(['--out', out, '--db', dbPath, '--since', '7d'], e.io)).toBe(0);
    expect(e.out.join('\n')).toMatch(/wrote .*ticket\.zip: 1 runs, 3 attempts, 6 events .*\(redacted\)/);

    const text = captureIo();
    expect(await inspectCommand([out], text.io)).toBe(0);
    const shown = text.out.join('\n');
    expect(shown).toContain('One TURN server refuses allocations');
    expect(shown).toContain('redacted');
    expect(shown).not.toContain(SECRET_ADDRESSES.hostV4);

    const json = captureIo();
    expect(await inspectCommand([out, '--json'], json.io)).toBe(0);
    const bundle = JSON.parse(json.out.join('')) as { manifest: { redacted: boolean; appVersion: string } };
    expect(bundle.manifest).toMatchObject({ redacted: true, appVersion: '9.9.9-test' });
    expect(existsSync(dataDir)).toBe(false);
  });

  it('--no-redact is recorded in the manifest', async () => {
    const out = join(dir, 'plain.zip');
    const e = captureIo();
    expect(await exportCommand(['--out', out, '--db', dbPath, '--no-redact'], e.io)).toBe(0);
    expect(e.out.join('')).toContain('NOT redacted');
    const json = captureIo();
    await inspectCommand(['--json', out], json.io);
    expect(JSON.parse(json.out.join('')).manifest.redacted).toBe(false);
  });

  it('compares several bundles', async () => {
    const a = join(dir, 'a.zip');
    const b = join(dir, 'b.zip');
    await exportCommand(['--out', a, '--db', dbPath], captureIo().io);
    await exportCommand(['--out', b, '--db', dbPath], captureIo().io);
    const text = captureIo();
    expect(await inspectCommand([a, b], text.io)).toBe(0);
    expect(text.out.join('\n')).toMatch(/Comparing 2 bundles/);
    const json = captureIo();
    expect(await inspectCommand([a, b, '--json'], json.io)).toBe(0);
    const comparison = JSON.parse(json.out.join(''));
    expect(comparison.schema).toBe('rtc-triage/bundle-comparison@1');
    expect(comparison.servers.find((s: { url: string }) => s.url.startsWith('turn:')).views).toHaveLength(2);
  });

  it('a bad bundle exits 2 with one message', async () => {
    const bad = join(dir, 'bad.zip');
    writeFileSync(bad, 'not a zip');
    const io = captureIo();
    expect(await inspectCommand([bad], io.io)).toBe(2);
    expect(io.err).toEqual([
      `rtc-triage: ${bad} is not a valid RTC Triage bundle: it is not a zip file, or it is truncated`,
    ]);
    expect(readdirSync(dir).sort()).toEqual(
      ['bad.zip', 'history.db', 'history.db-shm', 'history.db-wal'].filter((f) => existsSync(join(dir, f))),
    );
  });

  it('refuses bad usage and prints help', async () => {
    await expect(exportCommand(['--db', dbPath], captureIo().io)).rejects.toBeInstanceOf(UsageError);
    await expect(
      exportCommand(['--out', 'x.zip', '--since', 'soon', '--db', dbPath], captureIo().io),
    ).rejects.toThrow(/--since/);
    await expect(
      exportCommand(['--out', 'x.zip', '--db', join(dir, 'none.db')], captureIo().io),
    ).rejects.toThrow(/no history/);
    await expect(exportCommand(['--out', 'x.zip', '--bogus'], captureIo().io)).rejects.toBeInstanceOf(
      UsageError,
    );
    await expect(inspectCommand([], captureIo().io)).rejects.toBeInstanceOf(UsageError);
    const help = captureIo();
    expect(await exportCommand(['--help'], help.io)).toBe(0);
    expect(help.out[0]).toBe(EXPORT_HELP);
    const ihelp = captureIo();
    expect(await inspectCommand(['-h'], ihelp.io)).toBe(0);
    expect(ihelp.out[0]).toBe(INSPECT_HELP);
  });
});
