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

  it('links every probe that needs another on the same server to that job', () => {
    const needs = Object.fromEntries(
      plan.flatMap((job) =>
        job.after ? [[`${job.probe.name}@${job.target.id}`, job.after.probe.name]] : [],
      ),
    );
    expect(needs).toEqual({
      'peer-connection@stun': 'stun-binding',
      'nat-behavior@stun': 'stun-binding',
      'ice-gathering@stun': 'stun-binding',
      'peer-connection@turn': 'turn-allocation',
      'ice-gathering@turn': 'turn-allocation',
      'signaled-session@gun': 'gun-signaling',
      'signaled-session@peerjs': 'peerjs-signaling',
    });
    for (const job of plan) if (job.after) expect(job.after.target).toBe(job.target);
  });

  it('a prerequisite that does not apply to the target is none (STUN over TCP has no Binding-dependent probes)', () => {
    const tcp = parseConfig({
      targets: [{ kind: 'stun', id: 'tcp', url: 'stun:127.0.0.1:3478?transport=tcp' }],
    });
    const jobs = planJobs(resolveTargets(tcp), tcp.timeouts);
    expect(jobs.map((j) => j.probe.name)).toEqual(['stun-binding']);
  });

  it('starts the longest chains first: the quick probes the WebRTC sessions wait for, then the quick rest', () => {
    const chain = (job: (typeof plan)[number]) =>
      Math.max(
        job.probe.expectedMs ?? 0,
        ...plan.filter((j) => j.after === job).map((j) => j.probe.expectedMs ?? 0),
      );
    const chains = plan.map(chain);
    expect(chains).toEqual([...chains].sort((a, b) => b - a));
    // a prerequisite of a WebRTC session starts before any quick job nothing waits for
    const firstFree = plan.findIndex((job) => chain(job) === 0);
    for (const job of plan) if (job.after) expect(plan.indexOf(job.after)).toBeLessThan(firstFree);
  });

  it('orders the quick probes nothing waits for by deadline, longest first', () => {
    const quick = plan.filter((job) => !job.probe.expectedMs && !plan.some((j) => j.after === job));
    const deadlines = quick.map(({ probe }) => probe.deadlineMs(config.timeouts));
    expect(quick.length).toBeGreaterThan(0);
    expect(deadlines).toEqual([...deadlines].sort((a, b) => b - a));
  });
});
