import { testTempDir } from '../helpers/temp';
import { join } from 'node:path';
import type { AttemptReport, Layer, Target } from '../../src/contract';
import { HistoryStore } from '../../src/core/store/history';

export type FixtureTarget = Target & { id: string; layer: Layer };

export const SEED_TARGETS: FixtureTarget[] = [
  { id: 'stun-a', kind: 'stun', url: 'stun:stun-a.test:3478', layer: 'L2' },
  { id: 'stun-b', kind: 'stun', url: 'stun:stun-b.test:3478', layer: 'L2' },
  {
    id: 'turn-a',
    kind: 'turn',
    url: 'turn:turn-a.test:3478?transport=udp',
    username: 'seed',
    credential: 'seed-secret',
    layer: 'L2',
  },
  { id: 'gun-a', kind: 'gun', url: 'https://gun-a.test/gun', layer: 'L3' },
  { id: 'peerjs-a', kind: 'peerjs', url: 'https://peerjs-a.test/peerjs', layer: 'L3' },
];

/** The probes of one monitoring round: every server, the relayed path, and the L0 machine test. */
export const ROUND: Array<{
  targetId: string;
  probe: string;
  metrics: AttemptReport['metrics'];
  local: boolean;
}> = [
  { targetId: 'stun-a', probe: 'stun-binding', metrics: { transport: 'udp' }, local: false },
  { targetId: 'stun-b', probe: 'stun-binding', metrics: { transport: 'udp' }, local: false },
  { targetId: 'turn-a', probe: 'turn-allocation', metrics: { transport: 'udp' }, local: false },
  { targetId: 'turn-a', probe: 'peer-connection', metrics: { path: 'relay' }, local: false },
  { targetId: 'gun-a', probe: 'gun-signaling', metrics: {}, local: false },
  { targetId: 'peerjs-a', probe: 'peerjs-signaling', metrics: {}, local: false },
  { targetId: 'local-machine', probe: 'peer-connection', metrics: { path: 'host' }, local: true },
];

export function tempStore(): HistoryStore {
  return HistoryStore.open(join(testTempDir('rtc-triage-history-'), 'history.db'), {
    retentionDays: 0,
  });
}

let serial = 0;
export function attempt(
  targetId: string,
  probe: string,
  at: number,
  ok: boolean,
  metrics: AttemptReport['metrics'] = {},
  errorClass: AttemptReport['errorClass'] = 'timeout',
): AttemptReport {
  serial++;
  return {
    id: `a${serial}`,
    correlationId: `c${serial}`,
    probe,
    targetId,
    attempt: 1,
    outcome: ok ? 'success' : errorClass === 'timeout' ? 'timeout' : 'error',
    stage: ok ? 'done' : 'connect',
    errorClass: ok ? null : errorClass,
    errorMessage: ok ? null : errorClass === 'timeout' ? 'no answer within 10 s' : errorClass,
    startedAt: new Date(at).toISOString(),
    durationMs: ok ? 120 : 10_000,
    metrics,
  };
}

/**
 * Monitoring rounds every `everyMs` from `from` to `to`: `failing(at, check)` says which checks fail.
 * One run per round, like `rtc-triage monitor`.
 */
export function record(
  store: HistoryStore,
  from: number,
  to: number,
  everyMs: number,
  failing: (at: number, check: (typeof ROUND)[number]) => boolean,
  targets: FixtureTarget[] = SEED_TARGETS,
  round = ROUND,
): void {
  for (let at = from; at < to; at += everyMs) {
    const runId = `run-${at}`;
    store.beginRun(runId, new Date(at), 'test', targets);
    store.ingest(
      round.map((check) => ({
        runId,
        attempt: attempt(check.targetId, check.probe, at, !failing(at, check), check.metrics),
      })),
    );
  }
}
