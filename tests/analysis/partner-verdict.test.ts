/**
 * The remote partner test as L4 evidence: crossNetwork becomes a proven pass/fail, and the verdict
 * says which path worked (direct or relay), i.e. whether this network needs TURN.
 */
import { describe, expect, it } from 'vitest';
import { VerdictSchema, type AttemptReport, type TargetReport } from '../../src/contract';
import { historyReport } from '../../src/core/analysis/history-verdict';
import { partnerCrossNetwork } from '../../src/core/analysis/partner-evidence';
import { verdictFor } from '../../src/core/analysis/verdict';
import { parseConfig } from '../../src/core/config/load';
import { runDiagnosis } from '../../src/core/runner/run';
import { attempt, tempStore } from './history-fixture';

const T0 = Date.parse('2026-01-01T12:00:00Z');
const target = (
  id: string,
  kind: TargetReport['kind'],
  layer: TargetReport['layer'],
  url: string,
): TargetReport => ({
  id,
  kind,
  layer,
  url,
  status: 'untested',
  rttMs: null,
});
const STUN = target('stun-a', 'stun', 'L2', 'stun:stun-a.test:3478');
const TURN = target('turn-a', 'turn', 'L2', 'turn:turn-a.test:3478?transport=udp');
const GUN = target('gun-a', 'gun', 'L3', 'https://gun-a.test/gun');
const TARGETS = [STUN, TURN, GUN];

const FIGURES = { rttMsP50: 23.5, lossPct: 0, throughputKbps: 8200 };
/** One partner test: rendezvous through the GUN relay, then the sessions given as [path, ok, extra metrics]. */
function partnerRun(
  sessions: Array<[path: 'host' | 'srflx' | 'relay', ok: boolean, extra?: AttemptReport['metrics']]>,
) {
  return [
    attempt('gun-a', 'partner-rendezvous', T0, true, { role: 'join', via: 'gun' }),
    ...sessions.map(([path, ok, extra], i) =>
      attempt(path === 'relay' ? 'turn-a' : 'partner', 'partner-session', T0 + 1 + i, ok, {
        path,
        ...(ok ? FIGURES : {}),
        ...extra,
      }),
    ),
  ];
}
const servers = [
  attempt('stun-a', 'stun-binding', T0 - 10, true, { transport: 'udp' }),
  attempt('turn-a', 'turn-allocation', T0 - 9, true, { transport: 'udp' }),
];

function verdict(attempts: AttemptReport[]) {
  return VerdictSchema.parse(verdictFor({ targets: TARGETS, attempts, appFailing: false, cancelled: false }));
}

describe('partnerCrossNetwork: what the shared table proves', () => {
  const row = (path: string, outcome: string, metrics: AttemptReport['metrics'] = {}) => ({
    path,
    outcome,
    metrics,
  });

  it('a reflexive session that connected is a direct path: no TURN needed', () => {
    expect(
      partnerCrossNetwork([
        row('host', 'timeout'),
        row('srflx', 'success', FIGURES),
        row('relay', 'success'),
      ]),
    ).toMatchObject({
      result: 'pass',
      path: 'direct',
      needsTurn: false,
      sameNetwork: false,
      summary: expect.stringMatching(
        /direct path works across networks \(RTT 23\.5 ms, loss 0%, 8200 kbit\/s\): this network does not need TURN/,
      ),
    });
  });

  it('direct failed while the relay worked: this network needs TURN', () => {
    expect(
      partnerCrossNetwork([row('host', 'timeout'), row('srflx', 'timeout'), row('relay', 'success')]),
    ).toMatchObject({
      result: 'pass',
      path: 'relay',
      needsTurn: true,
      summary: expect.stringMatching(/this network needs TURN/),
    });
  });

  it('every cross-network session failed: a proven fail', () => {
    expect(
      partnerCrossNetwork([row('host', 'error'), row('srflx', 'timeout'), row('relay', 'timeout')]),
    ).toMatchObject({
      result: 'fail',
      path: null,
      needsTurn: true,
    });
  });

  it('a host-only session to a private address proves a shared network, not a cross-network path', () => {
    expect(
      partnerCrossNetwork([
        row('host', 'success', { sameNetwork: true }),
        row('srflx', 'skipped'),
        row('relay', 'skipped'),
      ]),
    ).toMatchObject({ result: 'untested', sameNetwork: true, path: null, needsTurn: null });
    // to a public address it is a direct path across networks
    expect(partnerCrossNetwork([row('host', 'success', { sameNetwork: false })])).toMatchObject({
      result: 'pass',
      path: 'direct',
    });
  });

  it('sessions that did not run (skipped, aborted when the partner left) prove nothing', () => {
    expect(
      partnerCrossNetwork([row('host', 'aborted'), row('srflx', 'skipped'), row('relay', 'aborted')]),
    ).toMatchObject({
      result: 'untested',
      path: null,
    });
  });
});

describe('the verdict with a partner test as L4 evidence', () => {
  it('direct works: healthy, crossNetwork a proven pass, evidence names the direct session', () => {
    const v = verdict([
      ...servers,
      ...partnerRun([
        ['host', false],
        ['srflx', true],
        ['relay', true],
      ]),
    ]);
    expect(v.kind).toBe('healthy');
    expect(v.crossNetwork).toBe('pass');
    expect(v.confidence).toBeGreaterThanOrEqual(0.9);
    expect(v.message).toMatch(
      /a partner on another network connected directly \(this network does not need TURN\)/,
    );
    const evidence = v.evidence.map((e) => e.summary).join('\n');
    expect(evidence).toMatch(/L4: partner test, direct \(reflexive-only\) session connected \(RTT 23\.5 ms/);
    // the host-only session cannot work across networks: shown, never held against the network
    expect(evidence).toMatch(/host-only session failed.*not held against the network/);
  });

  it('direct fails, relay works: network-restricted, "needs a TURN relay", proven', () => {
    const v = verdict([
      ...servers,
      ...partnerRun([
        ['host', false],
        ['srflx', false],
        ['relay', true],
      ]),
    ]);
    expect(v.kind).toBe('network-restricted');
    expect(v.title).toBe('This network needs a TURN relay (proven with a partner)');
    expect(v.crossNetwork).toBe('pass');
    expect(v.message).toMatch(
      /could not connect directly \(srflx session failed\), but connected through the TURN relay \(turn:turn-a\.test/,
    );
    expect(v.evidence.map((e) => e.summary).join('\n')).toMatch(
      /relay-only session through turn:turn-a\.test:3478\?transport=udp connected/,
    );
  });

  it('every cross-network session fails while the servers work: network-restricted, crossNetwork a proven fail', () => {
    const v = verdict([
      ...servers,
      ...partnerRun([
        ['host', false],
        ['srflx', false],
        ['relay', false],
      ]),
    ]);
    expect(v.kind).toBe('network-restricted');
    expect(v.title).toBe('Cross-network connections fail (proven with a partner)');
    expect(v.crossNetwork).toBe('fail');
    expect(v.message).toMatch(/tried 2 cross-network sessions \(srflx, relay via turn:turn-a\.test/);
  });

  it('proof beats inference: a symmetric NAT does not condemn a network where a partner connected directly', () => {
    const symmetric = attempt('stun-a', 'nat-behavior', T0 - 8, true, {
      mapping: 'address-and-port-dependent',
    });
    expect(verdict([...servers, symmetric]).kind).toBe('network-restricted');
    const v = verdict([
      ...servers,
      symmetric,
      ...partnerRun([
        ['srflx', true],
        ['relay', true],
      ]),
    ]);
    expect(v.kind).toBe('healthy');
    expect(v.crossNetwork).toBe('pass');
  });

  it('proof beats inference the other way: STUN behind an endpoint-independent NAT, but the partner could not connect', () => {
    const eim = attempt('stun-a', 'nat-behavior', T0 - 8, true, { mapping: 'endpoint-independent' });
    expect(verdict([...servers, eim]).crossNetwork).toBe('pass');
    expect(
      verdict([
        ...servers,
        eim,
        ...partnerRun([
          ['srflx', false],
          ['relay', false],
        ]),
      ]).crossNetwork,
    ).toBe('fail');
  });

  it('a host-only session to a private address proves the local path (L0)', () => {
    const v = verdict(partnerRun([['host', true, { sameNetwork: true }]]));
    expect(v.local).toBe('pass');
    expect(v.crossNetwork).toBe('untested');
    expect(v.evidence.map((e) => e.summary).join('\n')).toMatch(
      /L0: partner test, host-only session connected to a private address/,
    );
  });
});

describe('partner attempts in the history', () => {
  it('a failed host-only session is kept out of failure rates, also when its run is pruned', () => {
    const store = tempStore();
    try {
      const targets = [
        { id: 'gun-a', kind: 'gun', url: 'https://gun-a.test/gun', layer: 'L3' as const },
        { id: 'turn-a', kind: 'turn', url: 'turn:turn-a.test:3478?transport=udp', layer: 'L2' as const },
        { id: 'partner', kind: 'partner', url: 'partner:remote-tester', layer: 'L4' as const },
      ];
      store.beginRun('p1', new Date(T0), 'test:partner-join', targets);
      for (const a of partnerRun([
        ['host', false],
        ['srflx', false],
        ['relay', true],
      ]))
        store.recordAttempt('p1', a, []);
      const buckets = store.database
        .prepare(
          'SELECT target_id AS targetId, layer, attempts, failures FROM attempt_buckets ORDER BY target_id',
        )
        .all();
      expect(buckets).toEqual([
        { targetId: 'gun-a', layer: 'L3', attempts: 1, failures: 0 },
        // the reflexive session counts; the host-only one does not
        { targetId: 'partner', layer: 'L4', attempts: 1, failures: 1 },
        { targetId: 'turn-a', layer: 'L4', attempts: 1, failures: 0 },
      ]);
      expect(store.prune(new Date(T0 + 60_000))).toBe(1);
      expect(
        store.database
          .prepare('SELECT count(*) AS n FROM attempt_buckets WHERE attempts <> 0 OR failures <> 0')
          .get(),
      ).toEqual({ n: 0 });
    } finally {
      store.close();
    }
  });

  it('the history verdict takes a recent partner test as proof', () => {
    const store = tempStore();
    try {
      store.beginRun('p1', new Date(T0), 'test:partner-host', [
        { id: 'gun-a', kind: 'gun', url: 'https://gun-a.test/gun', layer: 'L3' },
        { id: 'turn-a', kind: 'turn', url: 'turn:turn-a.test:3478?transport=udp', layer: 'L2' },
        { id: 'partner', kind: 'partner', url: 'partner:remote-tester', layer: 'L4' },
      ]);
      for (const a of partnerRun([
        ['host', false],
        ['srflx', false],
        ['relay', true],
      ]))
        store.recordAttempt('p1', a, []);
      const report = historyReport(store.queries, { from: T0 - 3_600_000, to: T0 + 60_000, timeZone: 'UTC' });
      expect(report.verdict.kind).toBe('network-restricted');
      expect(report.verdict.title).toMatch(/needs a TURN relay \(proven with a partner\)/);
      expect(report.verdict.crossNetwork).toBe('pass');
    } finally {
      store.close();
    }
  });

  it('a diagnosis counts the newest partner test of the last half hour', async () => {
    const store = tempStore();
    try {
      const now = Date.now();
      store.beginRun('p1', new Date(now - 60_000), 'test:partner-join', [
        { id: 'turn-a', kind: 'turn', url: 'turn:turn-a.test:3478?transport=udp', layer: 'L2' },
        { id: 'partner', kind: 'partner', url: 'partner:remote-tester', layer: 'L4' },
      ]);
      const old = attempt('partner', 'partner-session', now - 40 * 60_000, true, { path: 'srflx' });
      const recent = [
        attempt('partner', 'partner-session', now - 60_000, false, { path: 'srflx' }),
        attempt('turn-a', 'partner-session', now - 59_000, true, { path: 'relay' }),
      ].map((a) => ({ ...a, correlationId: 'partner-shared' }));
      for (const a of [old, ...recent]) store.recordAttempt('p1', a, []);
      // no probe runs at all: the verdict stands on the stored partner test alone
      const report = await runDiagnosis({
        config: parseConfig({ targets: [{ kind: 'stun', url: 'stun:stun-a.test:3478' }] }),
        targets: [],
        store,
        includeMachine: false,
      });
      expect(report.attempts).toEqual([]);
      expect(report.verdict.kind).toBe('network-restricted');
      expect(report.verdict.title).toMatch(/proven with a partner/);
      expect(report.verdict.evidence.map((e) => e.attemptId)).toEqual(
        expect.arrayContaining(recent.map((a) => a.id)),
      );
    } finally {
      store.close();
    }
  });
});
