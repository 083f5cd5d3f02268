import { describe, expect, it } from 'vitest';
import { HistoryReportSchema } from '../../src/contract';
import { historyReport, recentPatterns } from '../../src/core/analysis/history-verdict';
import { record, tempStore } from './history-fixture';

const local = (iso: string) => Date.parse(`${iso}+02:00`); // Europe/Berlin in June (CEST)

describe('the PeddleNet incident replayed as history', () => {
  it('names infrastructure (not the app) and the recurring 00:00–09:00 window', () => {
    const store = tempStore();
    const from = local('2025-06-03T22:00:00');
    const to = local('2025-06-05T12:00:00');
    const inOutage = (at: number) =>
      (at >= local('2025-06-04T00:00:00') && at < local('2025-06-04T09:00:00')) ||
      (at >= local('2025-06-05T00:00:00') && at < local('2025-06-05T09:00:00'));
    record(store, from, to, 60_000, (at, check) => !check.local && inOutage(at));

    const report = historyReport(store.queries, { from, to, timeZone: 'Europe/Berlin', appFailing: true });
    expect(HistoryReportSchema.parse(report)).toEqual(report);
    expect(report.verdict).toMatchObject({
      kind: 'infrastructure-outage',
      local: 'pass',
      crossNetwork: 'fail',
    });
    expect(report.verdict.confidence).toBeGreaterThanOrEqual(0.85);
    expect(report.verdict.message).toMatch(/not the app/);
    expect(report.verdict.message).toMatch(/00:00–09:00/);
    expect(report.verdict.message).toMatch(/all timeouts/);

    const recurring = report.patterns.find((p) => p.kind === 'recurring-window');
    expect(recurring).toMatchObject({
      scope: 'everything',
      window: '00:00–09:00',
      dates: ['2025-06-04', '2025-06-05'],
      timeZone: 'Europe/Berlin',
    });
    const outages = report.patterns.filter((p) => p.kind === 'outage');
    expect(outages.map((o) => [o.scope, o.from, o.to])).toEqual([
      [
        'everything',
        new Date(local('2025-06-04T00:00:00')).toISOString(),
        new Date(local('2025-06-04T09:00:00')).toISOString(),
      ],
      [
        'everything',
        new Date(local('2025-06-05T00:00:00')).toISOString(),
        new Date(local('2025-06-05T09:00:00')).toISOString(),
      ],
    ]);
    expect(outages.every((o) => o.recoveryMs === 0)).toBe(true);
    const likely = report.patterns.filter((p) => p.kind === 'failure-rate' && p.level === 'likely-outage');
    // The narrower scopes (each server, each kind) are folded into "everything".
    expect(likely.map((p) => p.scope)).toEqual(['everything', 'everything']);
    expect(report.patterns.some((p) => p.scope === 'local')).toBe(false);
    store.close();
  });

  it('says so while it is still going on', () => {
    const store = tempStore();
    const from = local('2025-06-03T22:00:00');
    const to = local('2025-06-04T03:00:00');
    record(store, from, to, 60_000, (at, check) => !check.local && at >= local('2025-06-04T00:00:00'));
    const report = historyReport(store.queries, { from, to, timeZone: 'Europe/Berlin' });
    expect(report.verdict.kind).toBe('infrastructure-outage');
    expect(report.verdict.title).toBe('Ongoing outage: every outside server');
    expect(report.verdict.action).toMatch(/Wait/);
    const streaks = report.patterns.filter((p) => p.kind === 'consecutive-failures');
    expect(streaks.map((p) => p.scope).sort()).toEqual([
      'target:gun-a',
      'target:peerjs-a',
      'target:stun-a',
      'target:stun-b',
      'target:turn-a',
    ]);
    expect(streaks[0]?.count).toBeGreaterThan(100);
    // What a diagnosis report carries in `patterns`: the same analysis over the last 24 h.
    expect(recentPatterns(store.queries, to, 86_400_000, 'Europe/Berlin')).toEqual(report.patterns);
    store.close();
  });
});
