import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttemptReport, ErrorClass } from '../../src/contract';
import { natBehaviorProbe } from '../../src/core/probes/nat-behavior';
import { stunBindingProbe } from '../../src/core/probes/stun-binding';
import { turnAllocationProbe } from '../../src/core/probes/turn-allocation';
import type { Probe } from '../../src/core/probes/types';
import { parseConfig } from '../../src/core/config/load';
import {
  HOSTILE_STUN_MODES,
  startHostileStun,
  type HostileStunMode,
  type HostileStunServer,
} from '../helpers/hostile-stun';
import { runProbe } from '../helpers/probe';
import type { TargetInput } from '../helpers/types';
import { watchProcessFaults } from '../helpers/hostile-process';

const SEED = Number(process.env.RTC_TRIAGE_FUZZ_SEED ?? 10_2024);
/** A few seconds: the 10 % margin (300 ms for a binding) stays meaningful on a loaded machine. */
const STUN_MS = 3000;
const TIMEOUTS = parseConfig({
  targets: [{ kind: 'stun', url: 'stun:127.0.0.1' }],
  timeouts: { stunMs: STUN_MS },
}).timeouts;

interface ProbePath {
  name: string;
  probe: Probe;
  target(server: HostileStunServer): TargetInput;
}

/** Every probe that reads a STUN/TURN server's replies, over each transport it speaks. */
const PATHS: ProbePath[] = [
  {
    name: 'stun-binding/udp',
    probe: stunBindingProbe as unknown as Probe,
    target: (s) => ({ kind: 'stun', url: `stun:127.0.0.1:${s.udpPort}` }),
  },
  {
    name: 'stun-binding/tcp',
    probe: stunBindingProbe as unknown as Probe,
    target: (s) => ({ kind: 'stun', url: `stun:127.0.0.1:${s.tcpPort}?transport=tcp` }),
  },
  {
    name: 'turn-allocation/udp',
    probe: turnAllocationProbe as unknown as Probe,
    target: (s) => ({
      kind: 'turn',
      url: `turn:127.0.0.1:${s.udpPort}?transport=udp`,
      username: 'u',
      credential: 'p',
    }),
  },
  {
    name: 'turn-allocation/tcp',
    probe: turnAllocationProbe as unknown as Probe,
    target: (s) => ({
      kind: 'turn',
      url: `turn:127.0.0.1:${s.tcpPort}?transport=tcp`,
      username: 'u',
      credential: 'p',
    }),
  },
  {
    name: 'nat-behavior/udp',
    probe: natBehaviorProbe as unknown as Probe,
    target: (s) => ({ kind: 'stun', url: `stun:127.0.0.1:${s.udpPort}` }),
  },
];

/** What each mode must end as, on every path: null is a success. */
const EXPECTED: Record<HostileStunMode, ErrorClass | null> = {
  valid: null,
  garbage: 'malformed-reply',
  truncated: 'malformed-reply',
  'wrong-cookie': 'malformed-reply',
  'wrong-transaction-id': 'timeout',
  'attribute-past-end': 'malformed-reply',
  'bad-attribute-values': 'malformed-reply',
  oversized: 'malformed-reply',
  flood: 'malformed-reply',
  'flood-valid': null,
  'oversized-flood': 'malformed-reply',
  silence: 'timeout',
};

interface CaseResult {
  path: string;
  mode: HostileStunMode;
  attempt: AttemptReport;
  deadlineMs: number;
  leaked: number;
  events: number;
}

/** Events one attempt may log, however many replies the server sends (a flood must not flood the log). */
const MAX_EVENTS = 100;

async function runPaths(server: HostileStunServer, mode: HostileStunMode): Promise<CaseResult[]> {
  return Promise.all(
    PATHS.map(async (path) => {
      const { attempts, events, ledger } = await runProbe(path.probe, path.target(server), {
        stunMs: STUN_MS,
      });
      const attempt = attempts[0] as AttemptReport;
      return {
        path: path.name,
        mode,
        attempt,
        deadlineMs: path.probe.deadlineMs(TIMEOUTS),
        leaked: ledger.counts().leaked,
        events: events.length,
      };
    }),
  );
}

/** The checks every hostile case must pass, as readable lines (empty when all hold). */
function problems(result: CaseResult): string[] {
  const { attempt, path, mode } = result;
  const where = `${path} × ${mode}`;
  const out: string[] = [];
  if (attempt.errorClass === 'internal') out.push(`${where}: internal error: ${attempt.errorMessage}`);
  if (attempt.errorClass !== EXPECTED[mode])
    out.push(
      `${where}: ended ${attempt.outcome}/${attempt.errorClass} (${attempt.errorMessage}), expected ${EXPECTED[mode]}`,
    );
  if (attempt.durationMs > result.deadlineMs * 1.1)
    out.push(`${where}: took ${attempt.durationMs} ms, over its deadline ${result.deadlineMs} ms + 10 %`);
  if (result.leaked !== 0) out.push(`${where}: ${result.leaked} resources leaked`);
  if (result.events > MAX_EVENTS) out.push(`${where}: logged ${result.events} events`);
  return out;
}

describe('a hostile STUN/TURN server (UDP and TCP) through the real probes', () => {
  const faults = watchProcessFaults();
  beforeAll(() => {
    console.log(`hostile STUN/TURN server seed: ${SEED} (set RTC_TRIAGE_FUZZ_SEED to replay another)`);
    faults.start();
  });
  afterAll(() => faults.stop());

  it(`every mode × every path ends as expected, within its deadline + 10 %, nothing leaked (${HOSTILE_STUN_MODES.length} modes × ${PATHS.length} paths)`, async () => {
    const found: string[] = [];
    const seen: string[] = [];
    for (const [index, mode] of HOSTILE_STUN_MODES.entries()) {
      const server = await startHostileStun({ mode, seed: SEED + index });
      try {
        for (const result of await runPaths(server, mode)) {
          found.push(...problems(result));
          seen.push(
            `${result.path} × ${mode}: ${result.attempt.outcome}/${result.attempt.errorClass ?? '-'} in ${result.attempt.durationMs} ms`,
          );
        }
      } finally {
        await server.close();
      }
    }
    console.log(seen.join('\n'));
    expect(found).toEqual([]);
    expect(faults.seen()).toEqual([]);
  });

  it('memory stays flat over rounds of floods and 64 KB replies', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const modes: HostileStunMode[] = ['flood', 'flood-valid', 'oversized', 'oversized-flood'];
    const servers = await Promise.all(
      modes.map((mode, i) => startHostileStun({ mode, seed: SEED + 100 + i })),
    );
    const ROUNDS = 6;
    const samples: Array<{ heapUsed: number; arrayBuffers: number }> = [];
    const found: string[] = [];
    let attempts = 0;
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const results = await Promise.all(
          modes.map((mode, i) => runPaths(servers[i] as HostileStunServer, mode)),
        );
        for (const result of results.flat()) {
          found.push(...problems(result));
          attempts++;
        }
        // let the last replies drain and closed sockets finalise before measuring
        await new Promise((resolve) => setTimeout(resolve, 100));
        gc();
        gc();
        const { heapUsed, arrayBuffers } = process.memoryUsage();
        samples.push({ heapUsed, arrayBuffers });
      }
    } finally {
      await Promise.all(servers.map((server) => server.close()));
    }
    const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 100) / 100;
    const first = samples[0] as { heapUsed: number; arrayBuffers: number };
    const last = samples.at(-1) as { heapUsed: number; arrayBuffers: number };
    console.log(
      `memory after each round of ${attempts / ROUNDS} hostile attempts (MB, heap / array buffers): ` +
        samples.map((s) => `${mb(s.heapUsed)} / ${mb(s.arrayBuffers)}`).join(', '),
    );
    expect(found).toEqual([]);
    // after the first round (warm-up: code compiled, pools filled), five more rounds add no more
    // than 4 MB of heap and 4 MB of buffers (a leak of one flood's replies per attempt would be
    // 200 KB × 20 attempts × 5 rounds = 20 MB)
    expect(mb(last.heapUsed - first.heapUsed)).toBeLessThan(4);
    expect(mb(last.arrayBuffers - first.arrayBuffers)).toBeLessThan(4);
    expect(faults.seen()).toEqual([]);
  });
});
