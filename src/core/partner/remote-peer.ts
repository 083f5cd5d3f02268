/**
 * One side of a session with a peer in another process (the partner's tester): a raw
 * RTCPeerConnection with two pre-negotiated data channels, a reliable one (pings, bulk transfer,
 * control) and an unreliable, unordered one without retransmissions (the loss burst). Only
 * candidates of the path's type leave this side. Everything is on the attempt's ledger.
 */
import { ProbeFailure, type ProbeContext } from '../probes/types';
import {
  candidateType,
  isFamilyMismatch,
  sdpKeepingCandidates,
  type CandidateType,
  type IceCandidateErrorEvent,
  type IceCandidateInit,
  type NodePeerConnection,
  type PeerConnectionConfig,
  type Wrtc,
} from '../probes/webrtc/wrtc';
import type { PeerSignal } from './messages';

/** The parts of libwebrtc's RTCDataChannel a session uses. */
export interface SessionChannel {
  readonly readyState: string;
  binaryType: string;
  bufferedAmount: number;
  send(data: string | Buffer): void;
  close(): void;
  onopen: (() => void) | null;
  onclose: (() => void) | null;
  onmessage: ((event: { data: string | ArrayBuffer }) => void) | null;
}

interface FullPeerConnection extends Omit<NodePeerConnection, 'createDataChannel'> {
  createAnswer(): Promise<{ type: string; sdp: string }>;
  setRemoteDescription(description: { type: string; sdp: string }): Promise<void>;
  addIceCandidate(candidate: IceCandidateInit): Promise<void>;
  createDataChannel(
    label: string,
    init: { negotiated: true; id: number; ordered?: boolean; maxRetransmits?: number },
  ): SessionChannel & { close(): void; readonly readyState: string };
}

export interface RemotePeerOptions {
  /** The host offers, the joiner answers. */
  role: 'offerer' | 'answerer';
  config: PeerConnectionConfig;
  keep: CandidateType;
  /** Carries a signal to the partner (through the sealed link). */
  send: (signal: PeerSignal) => void;
  /** Plain words when gathering ends without a candidate of the kept type. */
  noCandidate: (errors: IceCandidateErrorEvent[]) => ProbeFailure;
}

export interface RemotePeer {
  readonly pc: Omit<NodePeerConnection, 'createDataChannel'>;
  readonly reliable: SessionChannel;
  readonly burst: SessionChannel;
  readonly gathered: Partial<Record<CandidateType, number>>;
  readonly errors: IceCandidateErrorEvent[];
  /** How many candidates of the kept type this side sent. */
  kept(): number;
  /** Offerer: create and send the offer. */
  start(): Promise<void>;
  /** A signal from the partner. */
  handle(signal: PeerSignal): void;
  /** Resolves when the remote description is set (offerer: the answer came; answerer: the offer came). */
  readonly described: Promise<void>;
  /** Resolves when this side has a candidate of the kept type; rejects when gathering ends without. */
  readonly candidatesReady: Promise<void>;
  /** Resolves when the reliable channel is open (ICE and DTLS done). */
  readonly connected: Promise<void>;
  /** Rejects when ICE fails or the channel closes early; never resolves. */
  readonly failed: Promise<never>;
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

export function openRemotePeer(wrtc: Wrtc, ctx: ProbeContext, options: RemotePeerOptions): RemotePeer {
  const pc = new wrtc.RTCPeerConnection(options.config) as unknown as FullPeerConnection;
  let closed = false;
  ctx.resources.register('peer-connection', 'partner peer connection', () => {
    closed = true;
    pc.close();
  });
  const reliable = pc.createDataChannel('rtc-triage', { negotiated: true, id: 0 });
  const burst = pc.createDataChannel('rtc-triage-burst', {
    negotiated: true,
    id: 1,
    ordered: false,
    maxRetransmits: 0,
  });
  reliable.binaryType = 'arraybuffer';
  burst.binaryType = 'arraybuffer';
  // registered after the connection, so released before it
  ctx.resources.register('data-channel', 'partner reliable channel', () => reliable.close());
  ctx.resources.register('data-channel', 'partner burst channel', () => burst.close());

  const described = deferred<void>();
  const candidatesReady = deferred<void>();
  const connected = deferred<void>();
  const failed = deferred<never>();
  const gathered: Partial<Record<CandidateType, number>> = {};
  const errors: IceCandidateErrorEvent[] = [];
  let kept = 0;
  // Candidates wait until the description they belong to has gone out / come in.
  let descriptionSent = false;
  const outgoing: PeerSignal[] = [];
  let remoteSet = false;
  let remoteSeen = false;
  const incoming: IceCandidateInit[] = [];
  const fail = (error: ProbeFailure) => {
    if (!closed) failed.reject(error);
  };
  const sendSignal = (signal: PeerSignal) => {
    if (closed) return;
    if (signal.kind === 'ice' && !descriptionSent) outgoing.push(signal);
    else options.send(signal);
  };
  const sendDescription = (type: 'offer' | 'answer', sdp: string) => {
    options.send({ kind: 'sdp', type, sdp: sdpKeepingCandidates(sdp, options.keep) });
    ctx.emit(type === 'offer' ? 'signal.offer.sent' : 'signal.answer.sent', { via: 'partner' });
    descriptionSent = true;
    for (const signal of outgoing.splice(0)) options.send(signal);
  };

  pc.addEventListener('icecandidateerror', (event) => {
    if (!closed && !isFamilyMismatch(event)) errors.push(event);
  });
  pc.addEventListener('icecandidate', (event) => {
    if (closed) return;
    const candidate = event.candidate;
    if (candidate) {
      const type = candidateType(candidate.candidate);
      if (type) gathered[type] = (gathered[type] ?? 0) + 1;
      const keep = type === options.keep;
      ctx.emit('ice.candidate', { type, kept: keep });
      if (!keep) return;
      kept++;
      candidatesReady.resolve();
      sendSignal({
        kind: 'ice',
        candidate: candidate.candidate,
        sdpMid: candidate.sdpMid ?? null,
        sdpMLineIndex: candidate.sdpMLineIndex ?? null,
      });
      return;
    }
    // wrtc may announce "complete" before gathering has begun; only an end after something counts
    const any = Object.values(gathered).some((n) => n > 0);
    if ((any || errors.length > 0) && kept === 0) candidatesReady.reject(options.noCandidate(errors));
  });
  pc.addEventListener('connectionstatechange', () => {
    if (pc.connectionState === 'failed')
      fail(
        new ProbeFailure(
          'unreachable',
          'connect',
          'ICE failed: no candidate pair between the two testers works',
        ),
      );
  });
  reliable.onopen = () => {
    if (!closed) connected.resolve();
  };
  reliable.onclose = () =>
    fail(new ProbeFailure('unreachable', 'measure', 'the data channel closed mid-session'));

  const applyRemote = async (type: 'offer' | 'answer', sdp: string) => {
    await pc.setRemoteDescription({ type, sdp });
    remoteSet = true;
    described.resolve();
    ctx.emit(type === 'offer' ? 'signal.offer.received' : 'signal.answer.received', { via: 'partner' });
    for (const candidate of incoming.splice(0)) void pc.addIceCandidate(candidate).catch(() => {});
  };

  return {
    pc,
    reliable,
    burst,
    gathered,
    errors,
    kept: () => kept,
    described: described.promise,
    candidatesReady: candidatesReady.promise,
    connected: connected.promise,
    failed: failed.promise,
    async start() {
      if (options.role !== 'offerer') return;
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      sendDescription('offer', offer.sdp);
    },
    handle(signal) {
      if (closed) return;
      if (signal.kind === 'ice') {
        const init = {
          candidate: signal.candidate,
          sdpMid: signal.sdpMid,
          sdpMLineIndex: signal.sdpMLineIndex,
        };
        if (remoteSet) void pc.addIceCandidate(init).catch(() => {});
        else incoming.push(init);
        return;
      }
      const expected = options.role === 'offerer' ? 'answer' : 'offer';
      if (signal.type !== expected || remoteSeen) return;
      remoteSeen = true;
      void (async () => {
        await applyRemote(signal.type, signal.sdp);
        if (options.role === 'answerer') {
          const answer = await pc.createAnswer();
          await pc.setLocalDescription(answer);
          sendDescription('answer', answer.sdp);
        }
      })().catch((error: unknown) =>
        fail(
          new ProbeFailure(
            'internal',
            expected,
            `the partner's ${expected} could not be applied: ${error instanceof Error ? error.message : String(error)}`,
          ),
        ),
      );
    },
  };
}
