/**
 * Two RTCPeerConnections in one process, signaling passed between them by a transport (directly by
 * default; through a signaling server for the signaled session), candidates restricted to one type,
 * and a data channel from A to B. Every RTCPeerConnection and data channel is on the attempt's ledger;
 * teardown is the ledger's release, so it is idempotent and happens however the attempt ends.
 *
 * The peers are driven directly, not through simple-peer: every property read and method call on a
 * wrtc RTCPeerConnection (remoteDescription, signalingState, close() …) is a blocking call into
 * libwebrtc's signaling thread, and simple-peer made dozens per session (remoteDescription on every
 * candidate, iceGatheringState and signalingState on every state change, getStats until a candidate
 * pair shows up, close() on each connection twice). In a full diagnosis a dozen connections share
 * those threads, and every blocked call stalled the one JS thread all probes need. This driver makes
 * only the calls a session needs. Its messages keep simple-peer's shape (`{ type: 'offer' | 'answer',
 * sdp }`, `{ type: 'candidate', candidate }`), which the signaling transports carry.
 */
import type { SignalData } from 'simple-peer';
import { ProbeFailure, type ProbeContext } from '../types';
import {
  candidateType,
  isFamilyMismatch,
  sdpKeepingCandidates,
  type CandidateType,
  type IceCandidateErrorEvent,
  type IceCandidateInit,
  type NodeDataChannel,
  type NodePeerConnection,
  type PeerConnectionConfig,
  type Wrtc,
} from './wrtc';

export type Side = 'A' | 'B';

export interface SideState {
  readonly name: Side;
  readonly pc: NodePeerConnection;
  /** Candidates this side gathered, by type, and how many the filter let through. */
  gathered: Partial<Record<CandidateType, number>>;
  kept: number;
  gatheringComplete: boolean;
  /** This side's data channel is open (ICE, DTLS and SCTP are up). */
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
  /** Resolves when both sides' data channels are open (ICE connected, DTLS and SCTP up). */
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

/** One side's private state: its channel, and the candidates that came before the remote description. */
interface Peer {
  readonly state: SideState;
  channel: NodeDataChannel | null;
  remoteDescriptionSet: boolean;
  readonly pendingCandidates: IceCandidateInit[];
  readonly dataHandlers: Set<(data: Buffer) => void>;
}

const CHANNEL_LABEL = 'rtc-triage';

export async function createPeerPair(wrtc: Wrtc, ctx: ProbeContext, options: PairOptions): Promise<PeerPair> {
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
  const internal = (side: Side, stage: string, what: string, error?: unknown) =>
    fail(
      new ProbeFailure(
        'internal',
        stage,
        `peer ${side}: ${what}${error === undefined ? '' : `: ${error instanceof Error ? error.message : String(error)}`}`,
      ),
    );

  const peers: { a?: Peer; b?: Peer } = {};
  const checkCandidates = () => {
    const { a, b } = peers;
    if (!a || !b) return;
    if (a.state.kept > 0 && b.state.kept > 0) return candidatesReady.resolve();
    for (const { state } of [a, b])
      if (state.kept === 0 && state.gatheringComplete) candidatesReady.reject(options.noCandidate(state));
  };
  const checkConnected = () => {
    if (peers.a?.state.connected && peers.b?.state.connected) connected.resolve();
  };

  /** Listens on a data channel, registered on the ledger; A creates it, B receives it. */
  const attachChannel = (peer: Peer, channel: NodeDataChannel) => {
    const side = peer.state.name;
    peer.channel = channel;
    ctx.resources.register('data-channel', `data channel ${side}`, () => {
      closed = true;
      channel.close();
    });
    // wrtc runs listeners on process.nextTick: one that throws would be an uncaught exception
    channel.addEventListener('open', () => {
      if (closed) return;
      peer.state.connected = true;
      checkConnected();
    });
    channel.addEventListener('message', (event) => {
      if (closed) return;
      const data = typeof event.data === 'string' ? Buffer.from(event.data) : Buffer.from(event.data);
      for (const handler of peer.dataHandlers) handler(data);
    });
    channel.addEventListener('close', () => internal(side, 'connect', 'the data channel closed'));
    channel.addEventListener('error', (event) =>
      internal(side, 'connect', 'data channel error', event.error ?? event.message),
    );
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

  const addCandidate = (peer: Peer, candidate: IceCandidateInit) => {
    const refused = (error: unknown) => {
      // an mDNS (.local) candidate this libwebrtc cannot resolve is not a failure, only a lost path
      if (/\.local\b/.test(candidate.candidate)) return;
      internal(peer.state.name, 'ice', 'could not use a candidate from the other peer', error);
    };
    try {
      peer.state.pc.addIceCandidate(candidate).catch(refused);
    } catch (error) {
      // wrtc may throw instead of rejecting; this runs inside a transport's handler, where a throw escapes
      refused(error);
    }
  };

  /** Applies the other side's offer (B) or answer (A); B then answers. */
  const applyDescription = async (peer: Peer, type: 'offer' | 'answer', sdp: string) => {
    const { pc } = peer.state;
    await pc.setRemoteDescription({ type, sdp });
    if (closed) return;
    peer.remoteDescriptionSet = true;
    for (const candidate of peer.pendingCandidates.splice(0)) addCandidate(peer, candidate);
    if (type === 'answer') return;
    const answer = await pc.createAnswer();
    if (closed) return;
    await pc.setLocalDescription(answer);
    if (closed) return;
    send(peer.state, { type: 'answer', sdp: answer.sdp });
  };

  /** Hands one message that reached side `to` to its peer connection. */
  const deliver = (peer: Peer, message: SignalData) => {
    if (closed) return;
    const { name } = peer.state;
    if (message.type === 'candidate' && message.candidate) {
      const candidate: IceCandidateInit = {
        candidate: message.candidate.candidate,
        sdpMid: message.candidate.sdpMid ?? null,
        sdpMLineIndex: message.candidate.sdpMLineIndex ?? null,
      };
      if (peer.remoteDescriptionSet) addCandidate(peer, candidate);
      else peer.pendingCandidates.push(candidate);
      return;
    }
    const expected = name === 'B' ? 'offer' : 'answer';
    if (message.type !== expected || typeof message.sdp !== 'string') {
      internal(name, 'offer', `signaling failed: peer ${name} got an unexpected "${message.type}" message`);
      return;
    }
    if (expected === 'offer') {
      ctx.emit('signal.offer.received', { by: name, ...extra });
      offered.resolve();
    } else {
      ctx.emit('signal.answer.received', { by: name, ...extra });
      answered.resolve();
    }
    applyDescription(peer, expected, message.sdp).catch((error: unknown) =>
      internal(name, expected === 'offer' ? 'answer' : 'connect', `signaling failed`, error),
    );
  };

  const open = (name: Side): Peer => {
    let pc: NodePeerConnection;
    try {
      pc = new wrtc.RTCPeerConnection(options.config);
    } catch (error) {
      throw new ProbeFailure(
        'internal',
        'offer',
        `peer ${name}: could not create an RTCPeerConnection: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    ctx.resources.register('peer-connection', `peer-connection ${name}`, () => {
      closed = true;
      pc.close();
    });
    const peer: Peer = {
      channel: null,
      remoteDescriptionSet: false,
      pendingCandidates: [],
      dataHandlers: new Set(),
      state: {
        name,
        pc,
        gathered: {},
        kept: 0,
        gatheringComplete: false,
        connected: false,
        errors: [],
        send: (data) => {
          if (!peer.channel) throw new Error(`peer ${name}: no data channel yet`);
          peer.channel.send(data);
        },
        onData: (handler) => {
          peer.dataHandlers.add(handler);
          return () => peer.dataHandlers.delete(handler);
        },
      },
    };
    const { state } = peer;

    pc.addEventListener('icecandidateerror', (event) => {
      if (!closed && !isFamilyMismatch(event)) state.errors.push(event);
    });
    pc.addEventListener('icecandidate', (event) => {
      if (closed) return;
      const candidate = event.candidate;
      if (candidate) {
        send(state, {
          type: 'candidate',
          candidate: {
            candidate: candidate.candidate,
            sdpMLineIndex: candidate.sdpMLineIndex ?? null,
            sdpMid: candidate.sdpMid ?? '',
          },
        } as SignalData);
        return;
      }
      // wrtc may announce "complete" (a null candidate) before gathering has even begun; only an
      // end that follows some candidate or some error is the real one
      const gathered = Object.values(state.gathered).some((n) => n > 0);
      if (!gathered && state.errors.length === 0) return;
      state.gatheringComplete = true;
      checkCandidates();
    });
    pc.addEventListener('connectionstatechange', () => {
      if (closed) return;
      // one read per state change (a handful per session), not per message
      if (pc.connectionState === 'failed')
        fail(
          new ProbeFailure(
            'unreachable',
            'connect',
            `peer ${name}: the connection failed (no candidate pair answered, or DTLS failed)`,
          ),
        );
    });
    if (name === 'B')
      pc.addEventListener('datachannel', (event) => {
        if (!closed) attachChannel(peer, event.channel);
      });
    return peer;
  };

  const a = (peers.a = open('A'));
  const b = (peers.b = open('B'));
  transport.receive('A', (message) => deliver(a, message));
  transport.receive('B', (message) => deliver(b, message));
  attachChannel(a, a.state.pc.createDataChannel(CHANNEL_LABEL));

  const offer = async () => {
    const description = await a.state.pc.createOffer();
    if (closed) return;
    await a.state.pc.setLocalDescription(description);
    if (closed) return;
    send(a.state, { type: 'offer', sdp: description.sdp });
  };
  offer().catch((error: unknown) => internal('A', 'offer', 'could not create the offer', error));

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
