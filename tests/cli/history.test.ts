import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HistoryReportSchema } from '../../src/contract';
import { record, tempStore } from '../analysis/history-fixture';
import { HistoryStore } from '../../src/core/store/history';
import { runCli } from '../helpers/cli';

const MIN = 60_000;

function historyDb(failing: (at: number, local: boolean) => boolean): string {
  const store = tempStore();
  const now = Date.now();
  record(store, now - 3 * 60 * MIN, now, 2 * MIN, (at, check) => failing(at, check.local));
  const file = store.database.name;
  store.close();
  return file;
}

describe('rtc-triage history', () => {
  it('reports a healthy history with exit code 0', async () => {
    const db = historyDb(() => false);
    const result = await runCli(['history', '--db', db, '--since', '6h', '--tz', 'UTC']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Everything tested works {2}\[healthy/);
    expect(result.stdout).toMatch(/Patterns: none/);
    expect(result.stdout).toMatch(/L0 {2}local-machine/);
  });

  it('names an ongoing outage of every outside server, as JSON, with exit code 1', async () => {
    const start = Date.now() - 60 * MIN;
    const db = historyDb((at, local) => !local && at >= start);
    const result = await runCli(['history', '--db', db, '--json', '--app-failing']);
    expect(result.code).toBe(1);
    const report = HistoryReportSchema.parse(JSON.parse(result.stdout));
    expect(report.schema).toBe('rtc-triage/history@1');
    expect(report.verdict).toMatchObject({
      kind: 'infrastructure-outage',
      local: 'pass',
      crossNetwork: 'fail',
    });
    expect(report.patterns.map((p) => p.kind)).toEqual(
      expect.arrayContaining(['failure-rate', 'outage', 'consecutive-failures']),
    );
    const outage = report.patterns.find((p) => p.kind === 'outage');
    expect(outage?.scope).toBe('everything');
    expect(outage?.to).toBeUndefined();
  });

  it('reads as text with the outage and its patterns', async () => {
    const start = Date.now() - 60 * MIN;
    const db = historyDb((at, local) => !local && at >= start && at < start + 40 * MIN);
    const result = await runCli(['history', '--db', db]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/\[infrastructure-outage/);
    expect(result.stdout).toMatch(/- \[outage\] Outage \(everything\)/);
    expect(result.stdout).toMatch(/not the app/);
  });

  it('says there is nothing to analyse in an empty window', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'rtc-triage-empty-')), 'history.db');
    HistoryStore.open(db).close();
    const result = await runCli(['history', '--db', db, '--since', '1h']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/No history in this window/);
  });

  it.each([
    [['--since', 'yesterday'], /--since: "yesterday" is not a duration/],
    [['--tz', 'Mars/Olympus'], /--tz: "Mars\/Olympus" is not an IANA time zone/],
    [['--colour'], /--colour/],
    [['extra'], /unexpected argument/i],
  ])('refuses %j with exit code 2', async (args, message) => {
    const result = await runCli(['history', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('prints its help', async () => {
    const result = await runCli(['history', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Usage: rtc-triage history \[--since 24h\] \[--json\] \[--db FILE\]/);
    expect((await runCli(['--help'])).stdout).toMatch(/history {4}patterns/);
  });
});
