import { describe, expect, it } from 'vitest';
import { historyReport } from '../../src/core/analysis/history-verdict';
import { analyzeHistory } from '../../src/core/analysis/patterns';
import { ROUND, record, tempStore } from './history-fixture';

const MIN = 60_000;
const T0 = Date.parse('2026-03-02T12:00:00Z');

describe('history patterns', () => {
  it('one server down: a target-scoped outage and a partial-outage verdict', () => {
    const store = tempStore();
    record(
      store,
      T0,
      T0 + 3 * 60 * MIN,
      MIN,
      (at, c) => c.targetId === 'stun-b' && at >= T0 + 60 * MIN && at < T0 + 120 * MIN,
    );
    const report = historyReport(store.queries, { from: T0, to: T0 + 3 * 60 * MIN, timeZone: 'UTC' });
    const outages = report.patterns.filter((p) => p.kind === 'outage');
    expect(outages).toHaveLength(1);
    expect(outages[0]).toMatchObject({
      scope: 'target:stun-b',
      from: new Date(T0 + 60 * MIN).toISOString(),
      to: new Date(T0 + 120 * MIN).toISOString(),
      failureRate: 1,
    });
    expect(report.verdict.kind).toBe('partial-outage');
    expect(report.verdict.message).toMatch(/stun-b/);
    expect(report.targets.find((t) => t.id === 'stun-b')?.failures).toBe(60);
    store.close();
  });

  it('every server of one kind down: kind scope; every target of it folded in', () => {
    const store = tempStore();
    record(
      store,
      T0,
      T0 + 2 * 60 * MIN,
      MIN,
      (at, c) => c.targetId.startsWith('stun') && at >= T0 + 30 * MIN && at < T0 + 90 * MIN,
    );
    const report = historyReport(store.queries, { from: T0, to: T0 + 2 * 60 * MIN, timeZone: 'UTC' });
    expect(report.patterns.filter((p) => p.kind === 'outage').map((p) => p.scope)).toEqual(['kind:stun']);
    expect(report.verdict.kind).toBe('infrastructure-outage');
    store.close();
  });

  it('a 25% failure rate over 10 minutes raises an alert, not an outage', () => {
    const store = tempStore();
    let n = 0;
    record(
      store,
      T0,
      T0 + 60 * MIN,
      MIN,
      (at, c) => c.targetId === 'gun-a' && at >= T0 + 20 * MIN && at < T0 + 35 * MIN && n++ % 2 === 0,
    );
    const analysis = analyzeHistory(store.queries, { from: T0, to: T0 + 60 * MIN, timeZone: 'UTC' });
    const rates = analysis.patterns.filter((p) => p.kind === 'failure-rate');
    // gun-a is the only GUN relay: "every server of the kind" is the wider, truer scope.
    expect(rates.map((p) => [p.scope, p.level])).toEqual([['kind:gun', 'alert']]);
    expect(rates[0]?.failureRate).toBeGreaterThan(0.2);
    expect(analysis.outages).toEqual([]);
    store.close();
  });

  it('flapping: a server going up and down every ten minutes', () => {
    const store = tempStore();
    record(
      store,
      T0,
      T0 + 2 * 60 * MIN,
      MIN,
      (at, c) => c.targetId === 'peerjs-a' && Math.floor((at - T0) / (10 * MIN)) % 2 === 1,
    );
    const analysis = analyzeHistory(store.queries, { from: T0, to: T0 + 2 * 60 * MIN, timeZone: 'UTC' });
    const flapping = analysis.patterns.filter((p) => p.kind === 'flapping');
    expect(flapping.map((p) => p.scope)).toEqual(['target:peerjs-a']);
    expect(flapping[0]?.count).toBeGreaterThanOrEqual(10);
    store.close();
  });

  it('measures recovery from the first success until every server of the scope is back', () => {
    const store = tempStore();
    const back = (id: string) => (id === 'stun-a' ? 60 : id === 'stun-b' ? 62 : 61) * MIN;
    record(
      store,
      T0,
      T0 + 2 * 60 * MIN,
      MIN,
      (at, c) => !c.local && at >= T0 + 20 * MIN && at < T0 + back(c.targetId),
    );
    const analysis = analyzeHistory(store.queries, { from: T0, to: T0 + 2 * 60 * MIN, timeZone: 'UTC' });
    const outage = analysis.patterns.find((p) => p.kind === 'outage');
    expect(outage).toMatchObject({
      scope: 'everything',
      to: new Date(T0 + 60 * MIN).toISOString(),
      recoveryMs: 2 * MIN,
    });
    expect(outage?.summary).toMatch(/recovery 120 s \(goal < 30 s: missed\)/);
    store.close();
  });

  it('finds the recurring window in the user time zone, across a daylight-saving change', () => {
    const store = tempStore();
    // New York switches to daylight time on 2026-03-08: 02:00–05:00 local is 07:00Z before, 06:00Z after.
    const nights = ['2026-03-07T02:00:00-05:00', '2026-03-08T03:00:00-04:00', '2026-03-09T02:00:00-04:00'];
    for (const night of nights) {
      const start = Date.parse(night);
      const end = start + (night.startsWith('2026-03-08') ? 2 : 3) * 60 * MIN;
      record(
        store,
        start - 60 * MIN,
        end + 60 * MIN,
        2 * MIN,
        (at, c) => !c.local && at >= start && at < end,
      );
    }
    const from = Date.parse('2026-03-06T00:00:00Z');
    const to = Date.parse('2026-03-10T00:00:00Z');
    const analysis = analyzeHistory(store.queries, { from, to, timeZone: 'America/New_York' });
    const recurring = analysis.patterns.filter((p) => p.kind === 'recurring-window');
    expect(recurring).toHaveLength(1);
    expect(recurring[0]).toMatchObject({
      dates: ['2026-03-07', '2026-03-08', '2026-03-09'],
      timeZone: 'America/New_York',
    });
    expect(recurring[0]?.window).toMatch(/^0[23]:00–05:00$/);
    store.close();
  });

  it('local tests failing with the rest: this machine, not the servers', () => {
    const store = tempStore();
    record(store, T0, T0 + 90 * MIN, MIN, (at) => at >= T0 + 30 * MIN && at < T0 + 70 * MIN);
    const report = historyReport(store.queries, { from: T0, to: T0 + 90 * MIN, timeZone: 'UTC' });
    expect(report.verdict.kind).toBe('local-environment');
    expect(report.verdict.local).toBe('fail');
    store.close();
  });

  it('only the relayed path failing while servers answer: the network', () => {
    const store = tempStore();
    record(
      store,
      T0,
      T0 + 90 * MIN,
      MIN,
      (at, c) => c.probe === 'peer-connection' && !c.local && at >= T0 + 30 * MIN,
    );
    const report = historyReport(store.queries, { from: T0, to: T0 + 90 * MIN, timeZone: 'UTC' });
    expect(report.patterns.filter((p) => p.kind === 'outage').map((p) => p.scope)).toEqual([
      'cross-network-path',
    ]);
    expect(report.verdict.kind).toBe('network-restricted');
    store.close();
  });

  it('uses the monitoring round of the fixture (sanity)', () => {
    expect(ROUND.filter((c) => c.local)).toHaveLength(1);
  });
});
