import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttemptReport } from '../../src/contract';
import { parseConfig } from '../../src/core/config/load';
import { gunSignalingProbe } from '../../src/core/probes/gun-signaling';
import { peerJsSignalingProbe } from '../../src/core/probes/peerjs-signaling';
import { signaledSessionProbe } from '../../src/core/probes/signaled-session';
import type { Probe } from '../../src/core/probes/types';
import { skipUnlessIsolated } from '../helpers/isolation';
import { MUTATIONS } from '../helpers/hostile-frames';
import { watchProcessFaults } from '../helpers/hostile-process';
import {
  startMutatingGunRelay,
  startMutatingPeerJs,
  type MutatingServer,
} from '../helpers/hostile-signaling';
import { runProbe } from '../helpers/probe';
import type { TargetInput } from '../helpers/types';

const SEED = Number(process.env.RTC_TRIAGE_FUZZ_SEED ?? 2020_1241);
const CONCURRENCY = 6;

/** Short stage timeouts keep a few hundred cases quick; the deadlines stay above a second. */
type StageTimeouts = Partial<Record<'connectMs' | 'offerMs' | 'answerMs' | 'iceGatheringMs', number>>;

const QUICK: StageTimeouts = { connectMs: 1500, offerMs: 500, answerMs: 1000 };
const SESSION: StageTimeouts = { connectMs: 3000, offerMs: 1500, answerMs: 1500, iceGatheringMs: 2000 };

/** Classes a damaged signaling exchange may end in; never `internal`. */
const ALLOWED = new Set(['success', 'timeout', 'malformed-reply', 'refused', 'server-error', 'unreachable']);

interface Summary {
  classes: Record<string, number>;
  /** One message per error class, to show what a support engineer would read. */
  examples: Record<string, string>;
  problems: string[];
}

async function fuzz(
  probe: Probe,
  cases: number,
  target: (n: number) => TargetInput,
  timeouts: StageTimeouts,
): Promise<Summary> {
  const deadlineMs = probe.deadlineMs(
    parseConfig({ targets: [{ kind: 'stun', url: 'stun:127.0.0.1' }], timeouts }).timeouts,
  );
  const summary: Summary = { classes: {}, examples: {}, problems: [] };
  let next = 0;
  const worker = async () => {
    for (let n = next++; n < cases; n = next++) {
      const { attempts, ledger } = await runProbe(probe, target(n), { timeouts });
      const attempt = attempts[0] as AttemptReport;
      const key = attempt.errorClass ?? 'success';
      summary.classes[key] = (summary.classes[key] ?? 0) + 1;
      if (attempt.errorMessage) summary.examples[`${key} @${attempt.stage}`] ??= attempt.errorMessage;
      const where = `${probe.name} case ${n}`;
      if (!ALLOWED.has(key)) summary.problems.push(`${where}: ${key}: ${attempt.errorMessage}`);
      if (ledger.counts().leaked !== 0) summary.problems.push(`${where}: ${ledger.counts().leaked} leaked`);
      if (attempt.durationMs > deadlineMs * 1.1)
        summary.problems.push(`${where}: took ${attempt.durationMs} ms (deadline ${deadlineMs} ms)`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return summary;
}

describe('malformed GUN and PeerJS frames through the signaling probes (seeded, bounded)', () => {
  const faults = watchProcessFaults();
  let gun: MutatingServer;
  let peerjs: MutatingServer;
  // sessions exchange many frames: most pass intact, so the damage lands on offers, answers, candidates
  let gunForSessions: MutatingServer;
  let peerjsForSessions: MutatingServer;
  beforeAll(async () => {
    console.log(`signaling frame fuzzing seed: ${SEED} (set RTC_TRIAGE_FUZZ_SEED to replay another)`);
    faults.start();
    gun = await startMutatingGunRelay(SEED);
    peerjs = await startMutatingPeerJs(SEED + 1);
    gunForSessions = await startMutatingGunRelay(SEED + 2, 0.85);
    peerjsForSessions = await startMutatingPeerJs(SEED + 3, 0.85);
  });
  afterAll(async () => {
    faults.stop();
    await gun?.close();
    await peerjs?.close();
    console.log(
      `mutations sent: GUN ${JSON.stringify(gun?.mutations())}; PeerJS ${JSON.stringify(peerjs?.mutations())}`,
    );
  });

  it('gun-signaling: 150 cases, each classified, nothing leaked, no uncaught exception', async () => {
    const summary = await fuzz(
      gunSignalingProbe as unknown as Probe,
      150,
      (n) => ({ kind: 'gun', url: `${gun.url}/case/${n}/gun` }),
      QUICK,
    );
    console.log(`gun-signaling outcomes: ${JSON.stringify(summary.classes)}`, summary.examples);
    expect(summary.problems).toEqual([]);
    expect(faults.seen()).toEqual([]);
    // the mutations leave some exchanges intact: the fuzzing reaches the relay stage, not only the parser
    expect(summary.classes.success ?? 0).toBeGreaterThan(0);
  });

  it('peerjs-signaling: 150 cases, each classified, nothing leaked, no uncaught exception', async () => {
    const summary = await fuzz(
      peerJsSignalingProbe as unknown as Probe,
      150,
      (n) => ({ kind: 'peerjs', url: `${peerjs.url}/case/${n}`, key: 'fuzz' }),
      QUICK,
    );
    console.log(`peerjs-signaling outcomes: ${JSON.stringify(summary.classes)}`, summary.examples);
    expect(summary.problems).toEqual([]);
    expect(faults.seen()).toEqual([]);
    expect(summary.classes.success ?? 0).toBeGreaterThan(0);
  });

  it.skipIf(skipUnlessIsolated('signaled-session frame fuzzing'))(
    'signaled-session through both servers: 30 + 30 cases, each classified, nothing leaked',
    async () => {
      const viaGun = await fuzz(
        signaledSessionProbe as unknown as Probe,
        30,
        (n) => ({ kind: 'gun', url: `${gunForSessions.url}/case/${n}/gun` }),
        SESSION,
      );
      const viaPeerJs = await fuzz(
        signaledSessionProbe as unknown as Probe,
        30,
        (n) => ({ kind: 'peerjs', url: `${peerjsForSessions.url}/case/${n}`, key: 'fuzz' }),
        SESSION,
      );
      console.log(
        `signaled-session outcomes: via GUN ${JSON.stringify(viaGun.classes)}; via PeerJS ${JSON.stringify(viaPeerJs.classes)}`,
        viaGun.examples,
        viaPeerJs.examples,
      );
      expect([...viaGun.problems, ...viaPeerJs.problems]).toEqual([]);
      expect(faults.seen()).toEqual([]);
    },
    240_000,
  );

  it('every kind of damage was sent to the GUN and the PeerJS probes', () => {
    for (const server of [gun, peerjs]) {
      const sent = server.mutations();
      expect(MUTATIONS.filter((mutation) => !(sent[mutation] ?? 0))).toEqual([]);
    }
  });
});
