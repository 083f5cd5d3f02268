import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/core/config/load';
import { ProbeFailure, type ProbeContext } from '../../src/core/probes/types';
import { createPeerPair, type PeerPair } from '../../src/core/probes/webrtc/peer-pair';
import { answerPings, pingRtts } from '../../src/core/probes/webrtc/session-steps';
import {
  loadWrtc,
  type NodePeerConnection,
  type PeerConnectionConfig,
  type Wrtc,
} from '../../src/core/probes/webrtc/wrtc';
import { AttemptLedger } from '../../src/core/ledger/ledger';
import { skipUnlessIsolated } from '../helpers/isolation';

/**
 * The pair drives two simple-peer peers on real wrtc RTCPeerConnections. Every call on one blocks the
 * JS thread on libwebrtc's signaling thread, so these count the calls that matter on a real pair:
 * simple-peer makes the connection; the pair makes no extra stats reads, spares libwebrtc simple-peer's
 * reads of the remote description, and tears each peer down once.
 */
interface Watched {
  /** Method calls and property reads on the RTCPeerConnections, by name. */
  counts: Map<string, number>;
  /** Every RTCPeerConnection made, with the configuration it was given. */
  created: Array<{ pc: NodePeerConnection; config: PeerConnectionConfig }>;
}

const READS = new Set(['remoteDescription', 'localDescription', 'signalingState', 'connectionState']);

function watchingWrtc(wrtc: Wrtc): { wrtc: Wrtc; watched: Watched } {
  const watched: Watched = { counts: new Map(), created: [] };
  const count = (name: string) => watched.counts.set(name, (watched.counts.get(name) ?? 0) + 1);
  const Watching = function (config: PeerConnectionConfig) {
    const pc = new wrtc.RTCPeerConnection(config);
    const proxy = new Proxy(pc, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof property !== 'string') return value;
        if (typeof value === 'function')
          return (...args: unknown[]): unknown => {
            count(property);
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        if (READS.has(property)) count(property);
        return value;
      },
    });
    watched.created.push({ pc: proxy, config });
    return proxy;
  } as unknown as Wrtc['RTCPeerConnection'];
  return { wrtc: { ...wrtc, RTCPeerConnection: Watching }, watched };
}

function context(ledger: AttemptLedger): { ctx: ProbeContext; events: string[] } {
  const events: string[] = [];
  const ctx: ProbeContext = {
    signal: new AbortController().signal,
    resources: ledger.scope(),
    timeouts: parseConfig({ targets: [{ kind: 'stun', url: 'stun:127.0.0.1:3478' }] }).timeouts,
    correlationId: 'peer-pair-test',
    attempt: 1,
    lookup: () => Promise.reject(new Error('no lookups here')),
    targets: [],
    emit: (name) => events.push(name),
    stage: () => {},
  };
  return { ctx, events };
}

async function hostPair(wrtc: Wrtc, ctx: ProbeContext): Promise<PeerPair> {
  const pair = await createPeerPair(wrtc, ctx, {
    config: { iceServers: [] },
    keep: 'host',
    noCandidate: () => new ProbeFailure('internal', 'ice', 'no host candidate'),
  });
  await Promise.race([pair.connected, pair.failed]);
  return pair;
}

/** Lets simple-peer's destroy (a microtask) and the events it causes run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

const timers = () => process.getActiveResourcesInfo().filter((type) => type === 'Timeout').length;

describe.skipIf(skipUnlessIsolated('the peer-pair driver test'))('peer-pair driver (simple-peer)', () => {
  it('connects two peers over host candidates and echoes; each peer is torn down once and leaves nothing', async () => {
    const { wrtc, watched } = watchingWrtc(await loadWrtc('offer'));
    const ledger = new AttemptLedger();
    const { ctx, events } = context(ledger);
    const timersBefore = timers();
    const pair = await hostPair(wrtc, ctx);
    expect(pair.a.connected && pair.b.connected).toBe(true);
    expect(pair.a.kept).toBeGreaterThan(0);
    expect(pair.b.kept).toBeGreaterThan(0);
    expect(pair.offerSentAt).not.toBeNull();
    answerPings(pair);
    const rtts = await pingRtts(pair, 3);
    expect(rtts).toHaveLength(3);
    expect(events).toEqual(
      expect.arrayContaining([
        'signal.offer.sent',
        'signal.offer.received',
        'signal.answer.sent',
        'signal.answer.received',
        'ice.candidate',
      ]),
    );
    const { counts, created } = watched;
    expect(created).toHaveLength(2);
    // simple-peer's default ICE servers (public STUN servers) never reach a connection
    for (const { config } of created) expect(config.iceServers).toEqual([]);
    expect(pair.a.pc).toBe(created[0]?.pc);
    expect(pair.b.pc).toBe(created[1]?.pc);
    // only candidates of the kept type reach the other peer, each once
    expect(counts.get('addIceCandidate')).toBe(pair.a.kept + pair.b.kept);
    // stats read once per peer, by simple-peer before `connect`; the pair adds no reads of its own
    expect(counts.get('getStats')).toBe(2);
    // simple-peer asks for the remote description with every candidate: answered without libwebrtc
    expect(counts.get('setRemoteDescription')).toBe(2);
    expect(counts.get('remoteDescription') ?? 0).toBe(0);
    expect(counts.get('close') ?? 0).toBe(0);

    ctx.resources.releaseAll();
    expect(ledger.counts()).toEqual({ opened: 3, released: 3, leaked: 0 });
    await settle();
    // destroy() closed each connection once, though each peer saw the other's channel close too
    expect(counts.get('close')).toBe(2);
    // nothing simple-peer started outlives the session (its ICE-complete timer would, for 5 s)
    expect(timers()).toBeLessThanOrEqual(timersBefore);
    expect(() => pair.a.send(Buffer.from('late'))).toThrow();
  });

  it('reports a peer that closes before teardown as a classified failure, and still releases everything', async () => {
    const { wrtc, watched } = watchingWrtc(await loadWrtc('offer'));
    const ledger = new AttemptLedger();
    const { ctx } = context(ledger);
    const pair = await hostPair(wrtc, ctx);
    expect(pair.a.connected && pair.b.connected).toBe(true);

    // libwebrtc closing B's connection under the pair, as a crashed or killed stack would
    watched.created[1]?.pc.close();
    const failure = await pair.failed.then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ProbeFailure);
    expect((failure as ProbeFailure).message).toMatch(/^peer [AB]: /);

    ctx.resources.releaseAll();
    await settle();
    expect(ledger.counts()).toEqual({ opened: 3, released: 3, leaked: 0 });
    // B's: once by the test, once by its destroy(); A's: once
    expect(watched.counts.get('close')).toBe(3);
  });
});
