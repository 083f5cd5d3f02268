import { describe, expect, it } from 'vitest';
import { HistoryReportSchema, type AttemptReport } from '../../src/contract';
import { historyReport } from '../../src/core/analysis/history-verdict';
import { verdictFor } from '../../src/core/analysis/verdict';
import { attempt, tempStore, type FixtureTarget } from './history-fixture';

// The issue-17 shapes: diagnose on a machine with no outside network said "offline" while history on
// the same database said "Ongoing outage … Wait"; one misspelled name read as "machine offline".
const STUNS: FixtureTarget[] = [
  { id: 'stun-a', kind: 'stun', url: 'stun:stun-a.test:3478', layer: 'L2' },
  { id: 'stun-b', kind: 'stun', url: 'stun:stun-b.test:3478', layer: 'L2' },
];

function dnsFailure(targetId: string, at: number, code: string): AttemptReport {
  return {
    ...attempt(targetId, 'stun-binding', at, false, { transport: 'udp' }, 'dns'),
    errorMessage: `the name ${targetId}.test did not resolve (${code})`,
  };
}

function replay(
  targets: FixtureTarget[],
  rounds: number,
  failure: (id: string, at: number) => AttemptReport,
) {
  const store = tempStore();
  const to = Date.parse('2026-12-01T12:00:00Z');
  const from = to - rounds * 60_000;
  const attempts: AttemptReport[] = [];
  for (let at = from; at < to; at += 60_000) {
    const runId = `run-${at}`;
    store.beginRun(runId, new Date(at), 'test', targets);
    const run = [
      attempt('local-machine', 'peer-connection', at, true, { path: 'host' }),
      ...targets.map((t) => failure(t.id, at)),
    ];
    store.ingest(run.map((a) => ({ runId, attempt: a })));
    attempts.splice(0, attempts.length, ...run);
  }
  const report = historyReport(store.queries, { from, to: to + 1, timeZone: 'UTC' });
  store.close();
  const newest = verdictFor({
    targets: targets.map((t) => ({ ...t, status: 'untested' as const, rttMs: null })),
    attempts,
    appFailing: false,
    cancelled: false,
  });
  return { report: HistoryReportSchema.parse(report), newest };
}

describe('history and diagnose give one verdict', () => {
  it('an offline machine (no resolver answering) is offline in history too, never "wait"', () => {
    const { report, newest } = replay(STUNS, 20, (id, at) => dnsFailure(id, at, 'EAI_AGAIN'));
    expect(newest.kind).toBe('offline');
    expect(report.verdict.kind).toBe('offline');
    expect(report.verdict.title).toBe(newest.title);
    expect(report.verdict.action).toMatch(/^Check this machine's network/);
    expect(report.verdict.action).not.toMatch(/wait/i);
    // the screen says which is newer and why
    expect(report.note).toMatch(
      /^The newest run \(2026-12-01T11:59:00.000Z\) is newer than the stored pattern \(failures of .* since 2026-12-01T11:40:00.000Z\)/,
    );
    expect(report.verdict.message).toBe(newest.message);
    expect(report.verdict.evidence.some((e) => /newest run decides/.test(e.summary))).toBe(true);
  });

  it('one misspelled name as the only target is "check this URL" in history and diagnose alike', () => {
    const { report, newest } = replay([STUNS[0] as FixtureTarget], 20, (id, at) =>
      dnsFailure(id, at, 'ENOTFOUND'),
    );
    expect(newest.kind).toBe('app-suspect');
    expect(newest.title).toMatch(/^Check this URL/);
    expect(report.verdict.kind).toBe(newest.kind);
    expect(report.verdict.title).toBe(newest.title);
    expect(report.verdict.action).not.toMatch(/wait/i);
  });

  it('says nothing about which is newer when the pattern and the newest run read the same', () => {
    const refused = (id: string, at: number): AttemptReport => ({
      ...attempt(id, 'stun-binding', at, false, { transport: 'udp' }, 'timeout'),
      errorMessage: 'no answer within 1500 ms',
    });
    const { report, newest } = replay(STUNS, 20, refused);
    expect(report.verdict.kind).toBe(newest.kind);
    expect(report.note).toBeNull();
  });
});

describe('a stored pattern that decides the history verdict keeps what the newest run warns of (issue 18)', () => {
  it('an expiring certificate and a private-CA turns: server are said by the pattern verdict too', () => {
    const targets: FixtureTarget[] = [
      ...STUNS,
      { id: 'turn-a', kind: 'turn', url: 'turn:turn-a.test:3478?transport=udp', layer: 'L2' },
      { id: 'turns-a', kind: 'turn', url: 'turns:turn-a.test:5349', layer: 'L2' },
    ];
    const tls = {
      transport: 'tls',
      tlsTrustedBy: 'caFile',
      tlsIssuer: 'CN=RTC Triage lab CA',
      tlsWarning: "the server's TLS certificate expires in 5 day(s), on 2026-12-06",
      tlsValidTo: '2026-12-06T12:00:00.000Z',
      tlsDaysLeft: 5,
    };
    const store = tempStore();
    const to = Date.parse('2026-12-01T12:00:00Z');
    const from = to - 20 * 60_000;
    for (let at = from; at < to; at += 60_000) {
      const runId = `run-${at}`;
      store.beginRun(runId, new Date(at), 'test', targets);
      const run = [
        attempt('local-machine', 'peer-connection', at, true, { path: 'host' }),
        attempt('stun-a', 'stun-binding', at, true, { transport: 'udp' }),
        attempt('stun-b', 'stun-binding', at, false, { transport: 'udp' }, 'timeout'),
        attempt('turn-a', 'turn-allocation', at, true, { transport: 'udp' }),
        attempt('turn-a', 'peer-connection', at + 1, true, { path: 'relay' }),
        attempt('turns-a', 'turn-allocation', at, true, tls),
        attempt('turns-a', 'peer-connection', at + 1, false, { path: 'relay' }, 'timeout'),
      ];
      store.ingest(run.map((a) => ({ runId, attempt: a })));
    }
    const report = HistoryReportSchema.parse(
      historyReport(store.queries, { from, to: to + 1, timeZone: 'UTC' }),
    );
    store.close();
    // the stored pattern decides (an ongoing outage of stun-b), not the newest run alone
    expect(report.verdict.title).toMatch(/^Ongoing outage/);
    expect(report.verdict.action).toMatch(
      /Also: renew the TLS certificate of turns:turn-a\.test:5349 before 2026-12-06/,
    );
    expect(report.verdict.action).toMatch(/Also: browsers will not relay through turns:turn-a\.test:5349/);
    const summaries = report.verdict.evidence.map((e) => e.summary);
    expect(summaries.filter((s) => /expires in 5 day/.test(s))).toHaveLength(1);
    expect(summaries.filter((s) => /Chromium would not relay through it/.test(s))).toHaveLength(1);
  });
});
