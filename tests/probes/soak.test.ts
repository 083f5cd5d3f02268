import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttemptReport } from '../../src/contract';
import { parseConfig } from '../../src/core/config/load';
import { resolveTargets } from '../../src/core/config/targets';
import { natBehaviorProbe } from '../../src/core/probes/nat-behavior';
import { stunBindingProbe } from '../../src/core/probes/stun-binding';
import { turnAllocationProbe } from '../../src/core/probes/turn-allocation';
import type { Probe } from '../../src/core/probes/types';
import { AttemptLedger } from '../../src/core/ledger/ledger';
import { startLabStunServer, type LabStunServer } from '../../src/lab';
import { hasCoturn, startCoturn, type Coturn } from '../helpers/coturn';
import { freePort } from '../helpers/ports';
import { runJobQuietly } from '../helpers/probe';

const ATTEMPTS = 1000;
/** Handles that probes open; Node's own and vitest's are left out of the count. */
const PROBE_HANDLES = new Set(['UDPWRAP', 'TCPWRAP', 'TLSWRAP', 'Timeout']);
const openHandles = () => process.getActiveResourcesInfo().filter((name) => PROBE_HANDLES.has(name)).length;
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

if (!hasCoturn)
  console.warn('SKIPPED: the soak test needs Debian coturn (/usr/bin/turnserver); .ci/run installs it');

describe.skipIf(!hasCoturn)('soak: 1,000 sequential attempts mixing probe kinds', () => {
  let lab: LabStunServer;
  let turn: Coturn;
  beforeAll(async () => {
    lab = await startLabStunServer();
    turn = await startCoturn({ rfc5780: true });
  });
  afterAll(async () => {
    await turn?.stop();
    await lab?.close();
  });

  it('leaves the ledger at zero and no probe handle behind', async () => {
    const closed = await freePort();
    const config = parseConfig({
      targets: [
        { kind: 'stun', url: `stun:127.0.0.1:${lab.udpPort}` },
        { kind: 'stun', url: `stun:127.0.0.1:${lab.tcpPort}?transport=tcp` },
        { kind: 'stun', url: `stun:127.0.0.1:${turn.port}` },
        { kind: 'stun', url: `stun:127.0.0.1:${closed}` },
        {
          kind: 'turn',
          url: `turn:127.0.0.1:${turn.port}?transport=udp`,
          username: turn.user,
          credential: turn.password,
        },
        {
          kind: 'turn',
          url: `turn:127.0.0.1:${turn.port}?transport=tcp`,
          username: turn.user,
          credential: 'wrong',
        },
      ],
      retry: { maxAttempts: 1 },
      timeouts: { stunMs: 2000 },
    });
    const targets = resolveTargets(config);
    const [labUdp, labTcp, coturnStun, dead, turnUdp, turnBad] = targets;
    const plan: Array<[Probe, (typeof targets)[number] | undefined]> = [
      [stunBindingProbe as unknown as Probe, labUdp],
      [stunBindingProbe as unknown as Probe, labTcp],
      [stunBindingProbe as unknown as Probe, dead],
      [natBehaviorProbe as unknown as Probe, coturnStun],
      [turnAllocationProbe as unknown as Probe, turnUdp],
      [turnAllocationProbe as unknown as Probe, turnBad],
    ];
    await settle();
    const before = openHandles();
    const ledger = new AttemptLedger();
    const outcomes = new Map<string, number>();
    const surprises: string[] = [];
    const started = Date.now();
    for (let i = 0; i < ATTEMPTS && Date.now() - started < 120_000; i++) {
      const [probe, target] = plan[i % plan.length] as [Probe, (typeof targets)[number]];
      const attempts: AttemptReport[] = await runJobQuietly(probe, target, targets, config, ledger);
      for (const a of attempts) {
        if (a.outcome !== 'success' && a.errorClass !== 'refused' && a.metrics.errorCode !== 401) {
          surprises.push(
            `${a.probe} ${a.targetId}: ${a.errorClass} ${String(a.metrics.errorCode)} ${a.errorMessage}`,
          );
        }
        const key = `${a.probe}:${a.outcome}:${a.errorClass ?? '-'}`;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      }
    }
    await settle();
    const total = [...outcomes.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(ATTEMPTS);
    expect(surprises).toEqual([]);
    // every kind behaved as it should, every time
    expect(Object.fromEntries(outcomes)).toEqual({
      'stun-binding:success:-': 334,
      'stun-binding:error:refused': 167,
      'nat-behavior:success:-': 167,
      'turn-allocation:success:-': 166,
      'turn-allocation:error:server-error': 166,
    });
    expect(ledger.counts().leaked).toBe(0);
    expect(ledger.counts().opened).toBe(ledger.counts().released);
    expect(openHandles()).toBeLessThanOrEqual(before);
  }, 180_000);
});
