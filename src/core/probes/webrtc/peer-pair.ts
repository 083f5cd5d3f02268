/**
 * Two simple-peer peers in one process (issue #3: "two peers through simple-peer"), signaling passed
 * between them by a transport (directly by default; through a signaling server for the signaled
 * session), candidates restricted to one type, and simple-peer's data channel from A to B. Each peer
 * is on the attempt's ledger once: teardown is `peer.destroy()`, which closes its data channel and its
 * RTCPeerConnection exactly once, however the attempt ends.
 *
 * Every property read and method call on a wrtc RTCPeerConnection blocks the JS thread until
 * libwebrtc's signaling thread answers, and a full diagnosis runs a dozen connections on that thread,
 * so the pair asks simple-peer for no more than it must (see `peerOptions`) and adds few calls of its
 * own. It takes each RTCPeerConnection from the `wrtc` it hands simple-peer (`simple-peer-wrtc.ts`),
 * never from simple-peer's internals: for `icecandidateerror`, the end of gathering, and the probe's one
 * getStats. The
 * signal messages are simple-peer's (`{ type: 'offer' | 'answer', sdp }`, `{ type: 'candidate',
 * candidate }`), which the GUN and PeerJS transports carry.
 */
import type { Instance as SimplePeerInstance, Options as SimplePeerOptions, SignalData } from 'simple-peer';
import { ProbeFailure, type ProbeContext } from '../types';
import {
  candidateType,
  isFamilyMismatch,
  sdpKeepingCandidates,
  type CandidateType,
  type IceCandidateErrorEvent,
  type NodePeerConnection,
  type PeerConnectionConfig,
  type Wrtc,
} from './wrtc';
import { simplePeerWrtc } from './simple-peer-wrtc';

export type Side = 'A' | 'B';

/** simple-peer's errors for a remote offer, answer or candidate it could not apply. */
const UNUSABLE_SIGNAL = new Set([
  'ERR_SET_REMOTE_DESCRIPTION',
  'ERR_ADD_ICE_CANDIDATE',
  'ERR_SIGNALING',
  'ERR_CREATE_ANSWER',
]);

export interface SideState {
  readonly name: Side;
  readonly pc: NodePeerConnection;
  /** Candidates this side gathered, by type, and how many the filter let through. */
  gathered: Partial<Record<CandidateType, number>>;
  kept: number;
  gatheringComplete: boolean;
  /** simple-peer said `connect`: ICE, DTLS and SCTP are up and the data channel is open. */
  connected: boolean;
  errors: IceCandidateErrorEvent[];
  /** Sends over this side's data channel; throws when it is not open. */
  send(data: Buffer): void;
  /** Calls `handler` with every message this side receives; returns the function that stops it. */
  onData(handler: (data: Buffer) => void): () => void;
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
  /** When A sent its offer (performance.now()), or null before. */
  readonly offerSentAt: number | null;
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

type SimplePeerConstructor = new (options: SimplePeerOptions) => SimplePeerInstance;

let simplePeer: Promise<SimplePeerConstructor> | null = null;

/** Loaded on first use, like libwebrtc: a process that runs no WebRTC probe never loads either. */
function loadSimplePeer(): Promise<SimplePeerConstructor> {
  simplePeer ??= import('simple-peer').then(
    (module: unknown) => ((module as { default?: unknown }).default ?? module) as SimplePeerConstructor,
  );
  return simplePeer.catch((error: unknown) => {
    simplePeer = null;
    throw new ProbeFailure(
      'internal',
      'offer',
      `simple-peer could not be loaded: ${error instanceof Error ? error.message : String(error)}`,
    );
  });
}

const CHANNEL_LABEL = 'rtc-triage';

/**
 * simple-peer's options, and what each costs (read from simple-peer 9's source, measured on loopback):
 * - `config` replaces simple-peer's default ICE servers (Google's and Twilio's public STUN servers)
 *   because it names `iceServers`, which PeerConnectionConfig requires: a probe must never reach a
 *   server it was not given.
 * - `trickle: true`, its default: each candidate is signaled as it comes. Without trickle simple-peer
 *   holds the offer and the answer until libwebrtc ends gathering, which took ~100 ms even for host
 *   candidates on loopback (a session 4-5x longer) for no less JS-thread time, and through a TURN or
 *   STUN server waits for the slowest server's answer, so a server's failure would show as a missing
 *   offer instead of a missing candidate.
 * - `iceCompleteTimeout`: simple-peer arms this timer at the first candidate and never clears it, not
 *   even on destroy; with trickle nothing waits for it, so the shortest one is gone at once instead of
 *   outliving every session by 5 s.
 * - `channelConfig`, `offerOptions`, `answerOptions`: simple-peer's defaults (an ordered, reliable
 *   channel; no media to negotiate). `allowHalfTrickle` only matters without trickle.
 * What no option removes, per session: simple-peer reads the signaling and ICE states on every change,
 * `remoteDescription` for every candidate it is given (answered without libwebrtc, see
 * `simple-peer-wrtc.ts`), and calls getStats once per peer before `connect`. The pair itself calls
 * nothing per message; the peer-connection probe reads stats once more, on A, for the selected pair.
 */
function peerOptions(initiator: boolean, wrtc: Wrtc, config: PeerConnectionConfig): SimplePeerOptions {
  return {
    initiator,
    // wrtc's classes stand in for the DOM ones simple-peer's declarations name
    wrtc: wrtc as unknown as SimplePeerOptions['wrtc'],
    config: config as SimplePeerOptions['config'],
    channelName: CHANNEL_LABEL,
    trickle: true,
    iceCompleteTimeout: 1,
  };
}

export async function createPeerPair(wrtc: Wrtc, ctx: ProbeContext, options: PairOptions): Promise<PeerPair> {
  const SimplePeer = await loadSimplePeer();
  const offered = deferred<void>();
  const answered = deferred<void>();
  const candidatesReady = deferred<void>();
  const connected = deferred<void>();
  const failed = deferred<never>();
  let closed = false;
  let offerSentAt: number | null = null;
  ctx.resources.register('other', 'peer pair signaling', () => {
    closed = true;
  });

  const fail = (error: ProbeFailure) => {
    if (closed) return;
    failed.reject(error);
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
    let message: SignalData = data;
    if (data.type === 'candidate' && data.candidate) {
      const type = candidateType(data.candidate.candidate);
      if (type) from.gathered[type] = (from.gathered[type] ?? 0) + 1;
      const keep = type === options.keep;
      ctx.emit('ice.candidate', { side: from.name, type, kept: keep });
      if (!keep) return;
      from.kept++;
      checkCandidates();
    } else if ((data.type === 'offer' || data.type === 'answer') && data.sdp) {
      message = { ...data, sdp: sdpKeepingCandidates(data.sdp, options.keep) };
    }
    if (data.type === 'offer') {
      offerSentAt = performance.now();
      ctx.emit('signal.offer.sent', { from: from.name, ...extra });
    }
    if (data.type === 'answer') ctx.emit('signal.answer.sent', { from: from.name, ...extra });
    transport.send(from.name, message);
  };

  const open = (name: Side): { state: SideState; peer: SimplePeerInstance } => {
    let pc: NodePeerConnection | null = null;
    let peer: SimplePeerInstance;
    try {
      peer = new SimplePeer(
        peerOptions(
          name === 'A',
          simplePeerWrtc(wrtc, (created) => (pc = created)),
          options.config,
        ),
      );
    } catch (error) {
      throw new ProbeFailure(
        'internal',
        'offer',
        `peer ${name}: simple-peer could not start: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    // simple-peer emits 'error' on a later microtask, also for a constructor failure and after
    // destroy(): the listener stays for good
    peer.on('error', (error: Error & { code?: string }) => {
      if (closed) return;
      const server = options.transport?.serverName;
      if (server && error.code && UNUSABLE_SIGNAL.has(error.code)) {
        // the signals crossed a server: one this peer cannot use was damaged on the way
        fail(
          new ProbeFailure(
            'malformed-reply',
            'connect',
            `peer ${name} could not use a signaling message that came through ${server} (${error.message}): the server altered it`,
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
          `peer ${name}: ${error.message}${error.code ? ` (${error.code})` : ''}`,
        ),
      );
    });
    // the one teardown: destroy() closes the data channel and the RTCPeerConnection once; a second
    // call (the other peer's channel closing, the ledger) does nothing
    ctx.resources.register('peer-connection', `simple-peer ${name}`, () => {
      closed = true;
      peer.destroy();
    });
    // a closure assignment TypeScript cannot follow
    const captured = pc as NodePeerConnection | null;
    if (!captured)
      throw new ProbeFailure('internal', 'offer', `peer ${name}: could not create an RTCPeerConnection`);

    const dataHandlers = new Set<(data: Buffer) => void>();
    const state: SideState = {
      name,
      pc: captured,
      gathered: {},
      kept: 0,
      gatheringComplete: false,
      connected: false,
      errors: [],
      send: (data) => peer.send(data),
      onData: (handler) => {
        dataHandlers.add(handler);
        return () => dataHandlers.delete(handler);
      },
    };
    peer.on('data', (data: Buffer) => {
      if (closed) return;
      for (const handler of dataHandlers) handler(data);
    });
    peer.on('signal', (data: SignalData) => send(state, data));
    peer.on('connect', () => {
      if (closed) return;
      state.connected = true;
      if (sides.a?.connected && sides.b?.connected) connected.resolve();
    });
    peer.on('close', () => {
      // the other peer's teardown closes this one's channel too; before teardown it is a failure
      fail(new ProbeFailure('internal', 'connect', `peer ${name}: the connection closed`));
    });

    captured.addEventListener('icecandidateerror', (event) => {
      if (!closed && !isFamilyMismatch(event)) state.errors.push(event);
    });
    captured.addEventListener('icecandidate', (event) => {
      if (closed || event.candidate) return;
      // wrtc may announce "complete" (a null candidate) before gathering has even begun; only an
      // end that follows some candidate or some error is the real one
      const gathered = Object.values(state.gathered).some((n) => n > 0);
      if (!gathered && state.errors.length === 0) return;
      state.gatheringComplete = true;
      checkCandidates();
    });
    return { state, peer };
  };

  /** Hands one message that reached side `to` to its peer. */
  const deliver = (to: { state: SideState; peer: SimplePeerInstance }, message: SignalData) => {
    if (closed) return;
    const { name } = to.state;
    try {
      to.peer.signal(message);
    } catch (error) {
      // signal() throws once the peer is destroyed, and wrtc may throw on a candidate it refuses
      // instead of rejecting; this runs inside a transport's handler, where a throw would escape
      fail(
        new ProbeFailure(
          'internal',
          message.type === 'candidate' ? 'ice' : 'offer',
          `peer ${name}: signaling failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
      return;
    }
    if (message.type === 'offer' && name === 'B') {
      ctx.emit('signal.offer.received', { by: name, ...extra });
      offered.resolve();
    }
    if (message.type === 'answer' && name === 'A') {
      ctx.emit('signal.answer.received', { by: name, ...extra });
      answered.resolve();
    }
  };

  const a = open('A');
  sides.a = a.state;
  const b = open('B');
  sides.b = b.state;
  transport.receive('A', (message) => deliver(a, message));
  transport.receive('B', (message) => deliver(b, message));

  return {
    a: a.state,
    b: b.state,
    offered: offered.promise,
    answered: answered.promise,
    candidatesReady: candidatesReady.promise,
    connected: connected.promise,
    failed: failed.promise,
    get offerSentAt() {
      return offerSentAt;
    },
  };
}
