/**
 * Two simple-peer peers in one process, signaling passed between them by a transport (directly by
 * default; through a signaling server for the signaled session), candidates restricted to one type. Every peer, RTCPeerConnection and data channel is on the attempt's
 * ledger; teardown is the ledger's release, so it is idempotent and happens however the attempt ends.
 */
import type { Instance as SimplePeerInstance, SignalData } from 'simple-peer';
import { ProbeFailure, type ProbeContext } from '../types';
import {
  candidateType,
  isFamilyMismatch,
  sdpKeepingCandidates,
  type CandidateType,
  type IceCandidateErrorEvent,
  type NodeDataChannel,
  type NodePeerConnection,
  type PeerConnectionConfig,
  type Wrtc,
} from './wrtc';

export type Side = 'A' | 'B';

/** simple-peer's errors for a remote offer, answer or candidate it could not apply. */
const UNUSABLE_SIGNAL = new Set([
  'ERR_SET_REMOTE_DESCRIPTION',
  'ERR_ADD_ICE_CANDIDATE',
  'ERR_SIGNALING',
  'ERR_CREATE_ANSWER',
]);

type SimplePeerConstructor = new (options: Record<string, unknown>) => SimplePeerInstance;

let simplePeer: Promise<SimplePeerConstructor> | null = null;

function loadSimplePeer(): Promise<SimplePeerConstructor> {
  simplePeer ??= import('simple-peer').then(
    (module: unknown) => ((module as { default?: unknown }).default ?? module) as SimplePeerConstructor,
  );
  return simplePeer.catch((error: unknown) => {
    simplePeer = null;
    throw error;
  });
}

/** simple-peer 9 keeps these on the instance; the probe needs the RTCPeerConnection for stats and errors. */
interface PeerInternals {
  _pc: NodePeerConnection | null;
  _channel: NodeDataChannel | null;
  _iceCompleteTimer?: ReturnType<typeof setTimeout> | null;
}

export interface SideState {
  readonly name: Side;
  readonly peer: SimplePeerInstance;
  readonly pc: NodePeerConnection;
  /** Candidates this side gathered, by type, and how many the filter let through. */
  gathered: Partial<Record<CandidateType, number>>;
  kept: number;
  gatheringComplete: boolean;
  connected: boolean;
  errors: IceCandidateErrorEvent[];
}

export interface PeerPair {
  readonly a: SideState;
  readonly b: SideState;
  /** Resolves when the offer has been created and handed to B. */
  readonly offered: Promise<void>;
  /** Resolves when B's answer has been handed to A. */
  readonly answered: Promise<void>;
  /** Resolves when both sides have at least one candidate of the kept type. */
  readonly candidatesReady: Promise<void>;
  /** Resolves when both peers report `connect` (ICE connected, data channel open). */
  readonly connected: Promise<void>;
  /** Rejects when either peer fails (ICE failure, channel error); never resolves. */
  readonly failed: Promise<never>;
}

/**
 * How one side's signal messages reach the other side. `send` carries a message from `from`;
 * the transport hands it, in order, to the handler `receive` installed for the other side.
 */
export interface SignalTransport {
  /** Added to the `signal.*` events' data (e.g. `via: 'gun'`); none for the direct transport. */
  readonly eventData?: Record<string, unknown>;
  /** The server the signals cross ("the GUN relay"); none for the direct transport. */
  readonly serverName?: string;
  send(from: Side, message: SignalData): void;
  receive(to: Side, handler: (message: SignalData) => void): void;
}

/** Messages passed synchronously from one peer to the other, in this process. */
export function directTransport(): SignalTransport {
  const handlers: Partial<Record<Side, (message: SignalData) => void>> = {};
  return {
    send: (from, message) => handlers[from === 'A' ? 'B' : 'A']?.(message),
    receive: (to, handler) => {
      handlers[to] = handler;
    },
  };
}

export interface PairOptions {
  config: PeerConnectionConfig;
  keep: CandidateType;
  /** Plain words for the failure when gathering ends on a side without a candidate of the kept type. */
  noCandidate: (side: SideState) => ProbeFailure;
  /** Defaults to the direct transport. */
  transport?: SignalTransport;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // a stage that is never awaited must not become an unhandled rejection
  promise.catch(() => {});
  return { promise, resolve, reject };
}

export async function createPeerPair(wrtc: Wrtc, ctx: ProbeContext, options: PairOptions): Promise<PeerPair> {
  const SimplePeer = await loadSimplePeer();
  const offered = deferred<void>();
  const answered = deferred<void>();
  const candidatesReady = deferred<void>();
  const connected = deferred<void>();
  const failed = deferred<never>();
  let closed = false;
  ctx.resources.register('other', 'peer pair signaling', () => {
    closed = true;
  });

  const fail = (error: ProbeFailure) => {
    if (closed) return;
    failed.reject(error);
  };

  const open = (side: Side): SideState => {
    const peer = new SimplePeer({ initiator: side === 'A', wrtc, config: options.config, trickle: true });
    const internals = peer as unknown as PeerInternals;
    // simple-peer emits 'error' on a later microtask, also after destroy(): the listener stays for good.
    peer.on('error', (error: Error & { code?: string }) => {
      if (closed) return;
      const server = options.transport?.serverName;
      if (server && error.code && UNUSABLE_SIGNAL.has(error.code)) {
        // the signals crossed a server: one this peer cannot use was damaged on the way
        fail(
          new ProbeFailure(
            'malformed-reply',
            'connect',
            `peer ${side} could not use a signaling message that came through ${server} (${error.message}): the server altered it`,
          ),
        );
        return;
      }
      fail(
        new ProbeFailure(
          error.code === 'ERR_ICE_CONNECTION_FAILURE' || error.code === 'ERR_CONNECTION_FAILURE'
            ? 'unreachable'
            : 'internal',
          'connect',
          `peer ${side}: ${error.message}${error.code ? ` (${error.code})` : ''}`,
        ),
      );
    });
    const pc = internals._pc;
    if (!pc) throw new ProbeFailure('internal', 'offer', `peer ${side}: no RTCPeerConnection was created`);
    ctx.resources.register('peer-connection', `peer-connection ${side}`, () => pc.close());
    const state: SideState = {
      name: side,
      peer,
      pc,
      gathered: {},
      kept: 0,
      gatheringComplete: false,
      connected: false,
      errors: [],
    };
    const registerChannel = (channel: NodeDataChannel) =>
      ctx.resources.register('data-channel', `data channel ${side}`, () => channel.close());
    if (internals._channel) registerChannel(internals._channel);
    else pc.addEventListener('datachannel', (event) => !closed && registerChannel(event.channel));
    ctx.resources.register('other', `simple-peer ${side}`, () => {
      // simple-peer never clears this timer on destroy; it would keep the process alive for 5 s
      if (internals._iceCompleteTimer) clearTimeout(internals._iceCompleteTimer);
      peer.destroy();
    });

    pc.addEventListener('icecandidateerror', (event) => {
      if (!closed && !isFamilyMismatch(event)) state.errors.push(event);
    });
    pc.addEventListener('icecandidate', (event) => {
      if (closed || event.candidate) return;
      // wrtc may announce "complete" (a null candidate) before gathering has even begun; only an
      // end that follows some candidate or some error is the real one
      const gathered = Object.values(state.gathered).some((n) => n > 0);
      if (!gathered && state.errors.length === 0) return;
      state.gatheringComplete = true;
      checkCandidates();
    });
    peer.on('connect', () => {
      if (closed) return;
      state.connected = true;
      if (sides.a?.connected && sides.b?.connected) connected.resolve();
    });
    return state;
  };

  const sides: { a?: SideState; b?: SideState } = {};
  const checkCandidates = () => {
    const { a, b } = sides;
    if (!a || !b) return;
    if (a.kept > 0 && b.kept > 0) return candidatesReady.resolve();
    for (const side of [a, b])
      if (side.kept === 0 && side.gatheringComplete) candidatesReady.reject(options.noCandidate(side));
  };

  const transport = options.transport ?? directTransport();
  const extra = transport.eventData ?? {};

  /** Sends one signal message toward the other peer, dropping candidates of other types. */
  const send = (from: SideState, data: SignalData) => {
    if (closed) return;
    const name = from.name;
    let message: SignalData = data;
    if (data.type === 'candidate' && data.candidate) {
      const type = candidateType(data.candidate.candidate);
      if (type) from.gathered[type] = (from.gathered[type] ?? 0) + 1;
      const keep = type === options.keep;
      ctx.emit('ice.candidate', { side: name, type, kept: keep });
      if (!keep) return;
      from.kept++;
      checkCandidates();
    } else if ((data.type === 'offer' || data.type === 'answer') && data.sdp) {
      message = { ...data, sdp: sdpKeepingCandidates(data.sdp, options.keep) };
    }
    if (data.type === 'offer') ctx.emit('signal.offer.sent', { from: name, ...extra });
    if (data.type === 'answer') ctx.emit('signal.answer.sent', { from: name, ...extra });
    transport.send(name, message);
  };

  /** Hands one message that reached side `to` to its peer. */
  const deliver = (to: SideState, message: SignalData) => {
    if (closed) return;
    try {
      to.peer.signal(message);
    } catch (error) {
      // signal() throws once the peer is destroyed; after teardown that is expected, before it is a failure
      fail(new ProbeFailure('internal', 'offer', `signaling failed: ${(error as Error).message}`));
      return;
    }
    if (message.type === 'offer') {
      ctx.emit('signal.offer.received', { by: to.name, ...extra });
      offered.resolve();
    }
    if (message.type === 'answer') {
      ctx.emit('signal.answer.received', { by: to.name, ...extra });
      answered.resolve();
    }
  };

  const sideA = (sides.a = open('A'));
  const sideB = (sides.b = open('B'));
  transport.receive('A', (message) => deliver(sideA, message));
  transport.receive('B', (message) => deliver(sideB, message));
  sideA.peer.on('signal', (data: SignalData) => send(sideA, data));
  sideB.peer.on('signal', (data: SignalData) => send(sideB, data));

  return {
    a: sideA,
    b: sideB,
    offered: offered.promise,
    answered: answered.promise,
    candidatesReady: candidatesReady.promise,
    connected: connected.promise,
    failed: failed.promise,
  };
}

/** The selected candidate pair of a connected peer, as libwebrtc reports it. */
export async function selectedPair(
  pc: NodePeerConnection,
): Promise<{ local: string | null; remote: string | null; rttMs: number | null }> {
  const reports = new Map<string, Record<string, unknown>>();
  (await pc.getStats()).forEach((report) => reports.set(String(report.id), report));
  let pair: Record<string, unknown> | undefined;
  for (const report of reports.values()) {
    if (report.type === 'transport' && typeof report.selectedCandidatePairId === 'string')
      pair = reports.get(report.selectedCandidatePairId);
  }
  pair ??= [...reports.values()].find(
    (r) => r.type === 'candidate-pair' && r.nominated === true && r.state === 'succeeded',
  );
  if (!pair) return { local: null, remote: null, rttMs: null };
  const typeOf = (id: unknown) => {
    const value = reports.get(String(id))?.candidateType;
    return typeof value === 'string' ? value : null;
  };
  const rtt = pair.currentRoundTripTime;
  return {
    local: typeOf(pair.localCandidateId),
    remote: typeOf(pair.remoteCandidateId),
    rttMs: typeof rtt === 'number' ? Math.round(rtt * 100000) / 100 : null,
  };
}
