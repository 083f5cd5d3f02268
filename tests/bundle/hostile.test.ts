import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_FILES } from '../../src/contract';
import { BundleError, exportBundle, openBundle } from '../../src/core/bundle';
import { readZipEntries } from '../../src/core/bundle/safe-zip';
import { HistoryStore } from '../../src/core/store/history';
import { MACHINE, buildHistory, tempDir } from './fixture';
import { rawZip, type RawEntry } from './zip-writer';

let valid: RawEntry[] = [];
let validZip: Buffer;

beforeAll(async () => {
  const dir = tempDir();
  const { dbPath } = buildHistory(dir);
  const store = HistoryStore.open(dbPath, { retentionDays: 0 });
  const out = join(dir, 'valid.zip');
  await exportBundle({ store, since: new Date(0), redact: true, out, machine: MACHINE });
  store.close();
  validZip = readFileSync(out);
  const entries = await readZipEntries(out, new Set(Object.values(BUNDLE_FILES)));
  valid = [...entries].map(([name, data]) => ({ name, data }));
});

const tmpBefore = () => new Set(readdirSync(tmpdir()).filter((f) => f.startsWith('rtc-triage-bundle')));

/** Writes `zip` alone in a fresh folder, inspects it, and checks the refusal left nothing behind. */
async function refused(zip: Buffer, message: RegExp): Promise<void> {
  const dir = tempDir('rtc-triage-hostile-');
  const file = join(dir, 'hostile.zip');
  writeFileSync(file, zip);
  const before = tmpBefore();
  const error = await openBundle(file).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BundleError);
  expect((error as BundleError).message).toMatch(/is not a valid RTC Triage bundle: /);
  expect((error as BundleError).message).toMatch(message);
  expect(readdirSync(dir)).toEqual(['hostile.zip']);
  expect(readdirSync(join(dir, '..')).filter((f) => f === 'evil' || f === 'evil.txt')).toEqual([]);
  const after = tmpBefore();
  for (const name of after) expect(before.has(name), `left ${name} in the temp folder`).toBe(true);
}

const withEntry = (entry: RawEntry) => rawZip([...valid, entry]);
const replacing = (name: string, data: string) =>
  rawZip(valid.map((e) => (e.name === name ? { name, data: Buffer.from(data) } : e)));

describe('inspect refuses hostile bundles', () => {
  it('accepts the untouched bundle rebuilt by the raw writer', async () => {
    const dir = tempDir('rtc-triage-hostile-');
    writeFileSync(join(dir, 'ok.zip'), rawZip(valid));
    expect((await openBundle(join(dir, 'ok.zip'))).attempts).toHaveLength(3);
  });

  it('../ traversal', () =>
    refused(withEntry({ name: '../evil.txt', data: Buffer.from('x') }), /"\.\." path segment/));
  it('traversal hidden in the middle', () =>
    refused(withEntry({ name: 'logs/../../evil.txt', data: Buffer.from('x') }), /"\.\." path segment/));
  it('absolute path', () =>
    refused(withEntry({ name: '/tmp/evil.txt', data: Buffer.from('x') }), /absolute path/));
  it('Windows drive path', () =>
    refused(withEntry({ name: 'C:/evil.txt', data: Buffer.from('x') }), /absolute path/));
  it('backslashes', () => refused(withEntry({ name: '..\\evil.txt', data: Buffer.from('x') }), /backslash/));
  it('symlink entry', () =>
    refused(
      withEntry({ name: 'evil', data: Buffer.from('/etc/passwd'), unixMode: 0o120777 }),
      /symbolic link/,
    ));
  it('a symlink posing as a bundle file', () =>
    refused(
      rawZip(valid.map((e) => (e.name === 'config.json' ? { ...e, unixMode: 0o120777 } : e))),
      /symbolic link/,
    ));
  it('duplicate names (which one wins is a trick)', () =>
    refused(withEntry({ name: 'MANIFEST.json', data: Buffer.from('{}') }), /appears twice/));
  // 100,000 names; the end record of a non-zip64 archive caps its count at 65,535, which is what yauzl reports.
  it('100,000 entries', () =>
    refused(
      rawZip(Array.from({ length: 100_000 }, (_, i) => ({ name: `f${i}` }))),
      /has \d+ entries \(at most 64 are accepted\)/,
    ));
  it('a zip bomb (high compression ratio)', () =>
    refused(
      withEntry({ name: 'events.log', data: Buffer.alloc(48 * 1024 * 1024), deflate: true }),
      /expands \d+x \(a zip bomb\?\)/,
    ));
  it('an oversized entry', async () => {
    const dir = tempDir('rtc-triage-hostile-');
    const file = join(dir, 'big.zip');
    writeFileSync(file, rawZip(valid));
    await expect(
      openBundle(file, {
        maxEntries: 64,
        maxEntryBytes: 1024,
        maxTotalBytes: 1 << 20,
        maxRatio: 200,
        ratioFloorBytes: 1 << 20,
      }),
    ).rejects.toThrow(/bytes \(limit 1024\)/);
    expect(readdirSync(dir)).toEqual(['big.zip']);
  });
  it('invalid JSON', () =>
    refused(replacing('verdict.json', '{"lastReport": nul'), /verdict\.json is not valid JSON/));
  it('invalid NDJSON line', () =>
    refused(
      replacing('attempts.ndjson', '{"id":"a"}\n{oops\n'),
      /attempts\.ndjson line 1 does not match its schema/,
    ));
  it('schema-invalid manifest', () =>
    refused(
      replacing('manifest.json', JSON.stringify({ format: 'rtc-triage/bundle@9' })),
      /manifest\.json does not match its schema at format/,
    ));
  it('deeply nested JSON', () =>
    refused(
      replacing('patterns.json', `${'['.repeat(5000)}${']'.repeat(5000)}`),
      /nested more than 32 levels/,
    ));
  it('a zip without a manifest', () =>
    refused(rawZip(valid.filter((e) => e.name !== 'manifest.json')), /no manifest\.json/));
  it('not a zip at all', () =>
    refused(Buffer.from('just some text, not a zip\n'), /not a zip file, or it is truncated/));
  it('a truncated zip', () =>
    refused(validZip.subarray(0, Math.floor(validZip.length * 0.8)), /not a zip file, or it is truncated/));
  it('an empty file', () => refused(Buffer.alloc(0), /not a zip file, or it is truncated/));
});
