import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config, TriageEvent } from '../../src/contract';
import { parseConfig } from '../../src/core/config/load';
import { resolveTargets } from '../../src/core/config/targets';
import { PeerHostPool } from '../../src/core/isolation/pool';
import { inPeerHosts } from '../../src/core/isolation/placement';
import type { ResolvedTarget } from '../../src/core/probes/types';
import { runDiagnosis } from '../../src/core/runner/run';
import { startLab, type Lab } from '../../src/lab';
import { PEER_HOST } from '../helpers/build';
import { skipUnlessIsolated } from '../helpers/isolation';
import { alive, threadsOf, waitUntil, zombie } from './processes';

const skip = skipUnlessIsolated('the peer host tests (real WebRTC probes in child processes)');
const WEBRTC_PROBES = ['peer-connection', 'ice-gathering', 'signaled-session'];

let lab: Lab | null = null;
let config: Config;
let targets: ResolvedTarget[];
const pools: PeerHostPool[] = [];

function pool(size = 2): PeerHostPool {
  const made = new PeerHostPool({ entry: PEER_HOST, size });
  pools.push(made);
  return made;
}

beforeAll(async () => {
  if (skip) return;
  lab = await startLab();
  config = parseConfig({ ...lab.config, retry: { maxAttempts: 1 } }, 'lab');
  targets = resolveTargets(config, { lab: true });
});

afterAll(async () => {
  for (const made of pools) made.close();
  await lab?.close();
});

describe.skipIf(skip)('peer hosts: the WebRTC probes in child processes', () => {
  it('run a whole lab diagnosis: same attempts and events as in-process, every resource accounted for', async () => {
    const hosts = pool(2);
    await hosts.ready();
    expect(hosts.readyHosts).toBe(2);
    const events: TriageEvent[] = [];
    const report = await runDiagnosis({
      config,
      targets,
      placeProbe: inPeerHosts(hosts),
      onEvent: (e) => events.push(e),
    });

    expect(report.attempts.filter((a) => a.outcome !== 'success')).toEqual([]);
    const webrtc = report.attempts.filter((a) => WEBRTC_PROBES.includes(a.probe));
    expect(webrtc.length).toBeGreaterThanOrEqual(3);
    // each of them ran in a host, not here
    expect(hosts.jobsDone).toBe(webrtc.length);
    // their events came back with the attempt's correlation id, in order
    const session = webrtc.find((a) => a.probe === 'signaled-session');
    const names = events.filter((e) => e.correlationId === session?.correlationId).map((e) => e.name);
    expect(names).toEqual(
      expect.arrayContaining(['signal.offer.sent', 'signal.answer.received', 'peer.connected']),
    );
    expect(names.indexOf('signal.offer.sent')).toBeLessThan(names.indexOf('peer.connected'));
    expect(names.at(-1)).toBe('attempt.finished');
    // what the hosts opened is on the report's ledger, and all of it was released
    expect(report.cleanup.leaked).toBe(0);
    const inProcess = await runDiagnosis({ config, targets });
    expect(report.cleanup.opened).toBe(inProcess.cleanup.opened);
    expect(report.attempts.map((a) => `${a.probe}@${a.targetId}`).sort()).toEqual(
      inProcess.attempts.map((a) => `${a.probe}@${a.targetId}`).sort(),
    );

    const pids = hosts.pids;
    hosts.close();
    expect(hosts.ledger.counts().leaked).toBe(0);
    await waitUntil('the hosts to exit', () => pids.every((pid) => !alive(pid)));
  }, 60_000);

  it('with no host ready yet, the first diagnosis waits for one: no WebRTC in the engine process', async () => {
    const hosts = pool(1);
    expect(hosts.readyHosts).toBe(0);
    const report = await runDiagnosis({ config, targets, placeProbe: inPeerHosts(hosts) });
    expect(report.attempts.filter((a) => a.outcome !== 'success')).toEqual([]);
    expect(hosts.pids).toHaveLength(1);
    // every WebRTC attempt of the very first diagnosis ran in the host
    const webrtc = report.attempts.filter((a) => WEBRTC_PROBES.includes(a.probe));
    expect(webrtc.length).toBeGreaterThan(0);
    expect(hosts.jobsDone).toBe(webrtc.length);
  }, 60_000);

  it('cancelled mid-handshake: every attempt aborted, nothing leaked, the hosts stay usable', async () => {
    const hosts = pool(2);
    await hosts.ready();
    const controller = new AbortController();
    const report = await runDiagnosis({
      config,
      targets,
      placeProbe: inPeerHosts(hosts),
      signal: controller.signal,
      onEvent: (e) => {
        if (e.name === 'signal.offer.sent') controller.abort();
      },
    });
    expect(report.verdict.title).toBe('Diagnosis cancelled');
    const webrtc = report.attempts.filter((a) => WEBRTC_PROBES.includes(a.probe));
    expect(webrtc.some((a) => a.outcome === 'aborted')).toBe(true);
    expect(report.cleanup.leaked).toBe(0);
    expect(hosts.readyHosts).toBe(2);
    const next = await runDiagnosis({ config, targets, placeProbe: inPeerHosts(hosts) });
    expect(next.attempts.filter((a) => a.outcome !== 'success')).toEqual([]);
  }, 60_000);

  it('a host killed mid-probe fails that attempt, classified, and is replaced', async () => {
    const hosts = pool(1);
    await hosts.ready();
    const [victim] = hosts.pids;
    let killed = false;
    const report = await runDiagnosis({
      config,
      targets,
      placeProbe: inPeerHosts(hosts),
      onEvent: (e) => {
        if (!killed && e.name === 'signal.offer.sent' && victim !== undefined) {
          killed = true;
          process.kill(victim, 'SIGKILL');
        }
      },
    });
    expect(killed).toBe(true);
    const failed = report.attempts.filter((a) => a.outcome !== 'success');
    expect(failed.length).toBeGreaterThan(0);
    for (const attempt of failed) {
      expect(attempt.errorClass).toBe('internal');
      expect(attempt.errorMessage).toMatch(/peer host process running this probe ended \(SIGKILL\)/);
    }
    expect(report.cleanup.leaked).toBe(0);
    await hosts.ready(1);
    expect(hosts.pids).not.toContain(victim);
    const next = await runDiagnosis({ config, targets, placeProbe: inPeerHosts(hosts) });
    expect(next.attempts.filter((a) => a.outcome !== 'success')).toEqual([]);
  }, 60_000);

  it('a job sent to a host that died a moment ago fails with the signal, and the dead pipe raises nothing', async () => {
    const hosts = pool(1);
    await hosts.ready();
    const [victim] = hosts.pids as [number];
    process.kill(victim, 'SIGKILL');
    // wait, without yielding to the event loop, until the kernel has ended it (a zombie not yet
    // reaped): the pool has not seen the exit, still thinks the host ready, and writes to a dead pipe
    const until = Date.now() + 5_000;
    while (zombie(victim) === false && Date.now() < until);
    expect(zombie(victim)).toBe(true);
    // and a little longer, still without yielding, for the kernel to close its end of the socket
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    const stages: string[] = [];
    const job = hosts.run(
      {
        probe: 'peer-connection',
        target: targets.find((t) => t.kind === 'stun') as ResolvedTarget,
        targets,
        timeouts: config.timeouts,
        correlationId: 'dead-pipe',
        attempt: 1,
      },
      { emit: () => {}, stage: (name) => stages.push(name) },
      new AbortController().signal,
    );
    expect(job).not.toBeNull();
    await expect(job).rejects.toThrow(/peer host process running this probe ended \(SIGKILL\)/);
    expect(hosts.ledger.counts().leaked).toBe(0);
    await hosts.ready(1);
    expect(hosts.pids).not.toContain(victim);
  }, 60_000);

  it("an idle host lets go of libwebrtc's threads (closed connections are collected)", async () => {
    const hosts = pool(1);
    await hosts.ready();
    const [pid] = hosts.pids as [number];
    const baseline = threadsOf(pid);
    await runDiagnosis({ config, targets, placeProbe: inPeerHosts(hosts) });
    await runDiagnosis({ config, targets, placeProbe: inPeerHosts(hosts) });
    expect(hosts.jobsDone).toBeGreaterThan(0);
    await waitUntil(`host ${pid} back to its ${baseline} threads`, () => threadsOf(pid) <= baseline, 10_000);
  }, 60_000);
});
