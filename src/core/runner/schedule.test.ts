import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load';
import { resolveTargets } from '../config/targets';
import { MACHINE_TARGET } from '../probes/types';
import { planJobs } from './schedule';

const config = parseConfig({
  targets: [
    { kind: 'stun', id: 'stun', url: 'stun:127.0.0.1:3478' },
    { kind: 'turn', id: 'turn', url: 'turn:127.0.0.1:3478?transport=udp', username: 'u', credential: 'p' },
    { kind: 'gun', id: 'gun', url: 'http://127.0.0.1:8765/gun' },
    { kind: 'peerjs', id: 'peerjs', url: 'http://127.0.0.1:9000/peerjs', key: 'peerjs' },
  ],
});
const plan = planJobs([MACHINE_TARGET, ...resolveTargets(config)], config.timeouts);
const names = plan.map(({ probe, target }) => `${probe.name}@${target.id}`);

describe('planJobs', () => {
  it('plans every probe against every target it applies to, once', () => {
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
      expect.arrayContaining([
        'peer-connection@local-machine',
        'peer-connection@turn',
        'peer-connection@stun',
        'ice-gathering@stun',
        'ice-gathering@turn',
        'signaled-session@gun',
        'signaled-session@peerjs',
        'stun-binding@stun',
        'nat-behavior@stun',
        'turn-allocation@turn',
        'gun-signaling@gun',
        'peerjs-signaling@peerjs',
      ]),
    );
  });

  it('starts the jobs expected to take longest first, the quick ones after them', () => {
    const expected = plan.map(({ probe }) => probe.expectedMs ?? 0);
    expect(expected).toEqual([...expected].sort((a, b) => b - a));
    const lastLong = Math.max(...plan.flatMap((job, i) => (job.probe.expectedMs ? [i] : [])));
    const firstQuick = plan.findIndex((job) => !job.probe.expectedMs);
    expect(lastLong).toBeLessThan(firstQuick);
    // every WebRTC session and ICE gathering declares how long it takes; the STUN/TURN/signaling probes do not
    for (const { probe } of plan)
      expect(probe.expectedMs !== undefined).toBe(
        ['peer-connection', 'ice-gathering', 'signaled-session'].includes(probe.name),
      );
  });

  it('orders the quick probes by deadline, longest first', () => {
    const quick = plan.filter(({ probe }) => !probe.expectedMs);
    const deadlines = quick.map(({ probe }) => probe.deadlineMs(config.timeouts));
    expect(deadlines).toEqual([...deadlines].sort((a, b) => b - a));
  });
});
