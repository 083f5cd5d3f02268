import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/core/config/load';
import { ProbeFailure, type ProbeContext } from '../../src/core/probes/types';
import { createPeerPair } from '../../src/core/probes/webrtc/peer-pair';
import { answerPings, pingRtts } from '../../src/core/probes/webrtc/session-steps';
import { loadWrtc, type NodePeerConnection, type Wrtc } from '../../src/core/probes/webrtc/wrtc';
import { AttemptLedger } from '../../src/core/runner/ledger';
import { skipUnlessIsolated } from '../helpers/isolation';

/**
 * Every call on a wrtc RTCPeerConnection blocks the JS thread until libwebrtc's signaling thread
 * answers, and in a full diagnosis a dozen connections share that thread: the peer-pair driver makes
 * only the calls a session needs. This counts them on a real pair.
 */
const WATCHED = new Set([
  'remoteDescription',
  'localDescription',
  'currentRemoteDescription',
  'pendingRemoteDescription',
  'signalingState',
  'iceGatheringState',
  'iceConnectionState',
  'connectionState',
  'getStats',
  'close',
]);

function countingWrtc(wrtc: Wrtc, counts: Map<string, number>, created: NodePeerConnection[]): Wrtc {
  const Counting = function (this: unknown, config: ConstructorParameters<Wrtc['RTCPeerConnection']>[0]) {
    const pc = new wrtc.RTCPeerConnection(config);
    const proxy = new Proxy(pc, {
      get(target, property, receiver) {
        if (typeof property === 'string' && WATCHED.has(property))
          counts.set(property, (counts.get(property) ?? 0) + 1);
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    created.push(proxy);
    return proxy;
  } as unknown as Wrtc['RTCPeerConnection'];
  return { ...wrtc, RTCPeerConnection: Counting };
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

describe.skipIf(skipUnlessIsolated('the peer-pair driver test'))('peer-pair driver', () => {
  it('connects two peers over host candidates, echoes, and makes only the calls a session needs', async () => {
    const counts = new Map<string, number>();
    const created: NodePeerConnection[] = [];
    const wrtc = countingWrtc(await loadWrtc('offer'), counts, created);
    const ledger = new AttemptLedger();
    const { ctx, events } = context(ledger);
    const pair = await createPeerPair(wrtc, ctx, {
      config: { iceServers: [] },
      keep: 'host',
      noCandidate: () => new ProbeFailure('internal', 'ice', 'no host candidate'),
    });
    const failed = pair.failed.then(
      () => 'never',
      (error: unknown) => error,
    );
    await Promise.race([pair.connected, failed.then((error) => Promise.reject(error as Error))]);
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

    ctx.resources.releaseAll();
    expect(ledger.counts()).toEqual({ opened: 5, released: 5, leaked: 0 });
    expect(created).toHaveLength(2);
    // each connection closed exactly once; no description, signaling or gathering state read back
    expect(counts.get('close')).toBe(2);
    for (const name of [
      'remoteDescription',
      'localDescription',
      'currentRemoteDescription',
      'pendingRemoteDescription',
      'signalingState',
      'iceGatheringState',
      'iceConnectionState',
      'getStats',
    ])
      expect(counts.get(name) ?? 0, name).toBe(0);
    // connectionState only on a state change (to notice a failure), a few per connection
    expect(counts.get('connectionState') ?? 0).toBeLessThanOrEqual(2 * 6);
  });
});
