import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorClass } from '../../src/contract';
import { signaledSessionProbe } from '../../src/core/probes/signaled-session';
import type { Probe } from '../../src/core/probes/types';
import { skipUnlessIsolated } from '../helpers/isolation';
import { watchProcessFaults } from '../helpers/hostile-process';
import { damageSignal, startDamagingGunRelay } from '../helpers/hostile-signaling';
import { runProbe } from '../helpers/probe';

const probe = signaledSessionProbe as unknown as Probe;
const TIMEOUTS = { connectMs: 3000, offerMs: 1500, answerMs: 1500, iceGatheringMs: 2000 };

/**
 * A relay that delivers every signal, but damaged: what the peers must not be handed (and what the
 * attempt then says). `null` is a success: the session survives the damage.
 */
const CASES: Array<{
  name: string;
  relay: Parameters<typeof startDamagingGunRelay>[0];
  expected: ReadonlyArray<ErrorClass | null>;
}> = [
  {
    name: 'SDP that does not parse',
    relay: {
      damage: damageSignal((s) =>
        typeof s.sdp === 'string' ? { ...s, sdp: s.sdp.replace('v=0', 'x=0') } : s,
      ),
    },
    expected: ['malformed-reply'],
  },
  {
    name: 'SDP cut in half',
    relay: {
      damage: damageSignal((s) =>
        typeof s.sdp === 'string' ? { ...s, sdp: s.sdp.slice(0, Math.floor(s.sdp.length / 2)) } : s,
      ),
    },
    expected: ['malformed-reply'],
  },
  {
    name: 'SDP of the wrong type (a number)',
    relay: { damage: damageSignal((s) => (s.sdp ? { ...s, sdp: 42 } : s)) },
    expected: ['malformed-reply'],
  },
  {
    name: 'envelopes that are no longer JSON',
    relay: { damage: (envelope) => envelope.slice(0, -3) },
    expected: ['malformed-reply'],
  },
  {
    name: 'extra fields simple-peer would act on (renegotiate, transceiverRequest)',
    relay: {
      damage: damageSignal((s) => ({
        ...s,
        renegotiate: true,
        transceiverRequest: { kind: 'nonsense', init: 7 },
      })),
    },
    expected: [null],
  },
  {
    name: "each peer's own signals handed back to it (misrouted)",
    relay: { misroute: true },
    expected: [null],
  },
  {
    name: 'candidates that are not candidates',
    relay: {
      damage: damageSignal((s) =>
        s.type === 'candidate'
          ? { ...s, candidate: { candidate: 'candidate:garbage', sdpMid: {}, sdpMLineIndex: 'x' } }
          : s,
      ),
    },
    // the damaged candidates are dropped; ICE connects if the SDPs or peer-reflexive checks suffice
    expected: [null, 'unreachable', 'timeout', 'malformed-reply'],
  },
];

describe.skipIf(skipUnlessIsolated('damaged-signal sessions'))(
  'a GUN relay that damages the signals of a session',
  () => {
    const faults = watchProcessFaults();
    beforeAll(() => faults.start());
    afterAll(() => faults.stop());

    it.each(CASES)('$name: explained, never internal, nothing leaked', async ({ relay, expected }) => {
      const server = await startDamagingGunRelay(relay);
      try {
        const { attempts, ledger } = await runProbe(
          probe,
          { kind: 'gun', url: `${server.url}/gun` },
          { timeouts: TIMEOUTS },
        );
        const [attempt] = attempts;
        console.log(
          `${attempt?.outcome}/${attempt?.errorClass ?? '-'} @${attempt?.stage}: ${attempt?.errorMessage ?? ''}`,
        );
        expect(expected).toContain(attempt?.errorClass ?? null);
        expect(ledger.counts().leaked).toBe(0);
        expect(faults.seen()).toEqual([]);
      } finally {
        await server.close();
      }
    });
  },
);
