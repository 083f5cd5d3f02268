/**
 * A signal transport through a signaling server, for a WebRTC session whose two peers live in this
 * process but whose offer, answer and candidates must cross the server. Messages are wrapped in an
 * envelope `{ cid, from, seq, signal }`: the correlation id tags them (and filters out other sessions on a
 * shared relay), the sequence number restores each direction's order and drops the duplicates a
 * relay may send back (GUN answers a subscription with everything the node already holds).
 */
import type { SignalData } from 'simple-peer';
import type { ProbeFailure } from '../types';
import type { Side, SignalTransport } from '../webrtc/peer-pair';

export type SignalingVia = 'gun' | 'peerjs';

export interface SessionTransport extends SignalTransport {
  readonly via: SignalingVia;
  /** How a support engineer calls the server: "the GUN relay", "the PeerJS server". */
  readonly serverName: string;
  /** Rejects when the server drops a client before the session is torn down; never resolves. */
  readonly failed: Promise<never>;
  /** Messages sent into the server / messages that came out of it for this session. */
  readonly counts: { sent: number; relayed: number; garbage: number };
}

export interface Envelope {
  cid: string;
  /** The sending side: a server that hands a peer its own signals back is caught here. */
  from: Side;
  seq: number;
  signal: SignalData;
}

/** Far above any real session (an offer, an answer and a few candidates); a bound against floods. */
const MAX_SEQ = 10_000;

export function other(side: Side): Side {
  return side === 'A' ? 'B' : 'A';
}

/** Far above a real session description (a few KB); a bound on what is handed to the peer. */
const MAX_SDP_CHARS = 64 * 1024;

/**
 * The envelope in a relayed value for side `to`, or null when it is not one of this session's
 * signals. The signal is rebuilt from the fields a peer needs, so nothing else a server adds
 * (`renegotiate`, `transceiverRequest`, odd types) reaches simple-peer.
 */
export function parseEnvelope(value: unknown, correlationId: string, to: Side): Envelope | null {
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return null;
    }
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { cid, from, seq, signal } = parsed as Partial<Record<keyof Envelope, unknown>>;
  if (cid !== correlationId || from !== other(to)) return null;
  if (!Number.isInteger(seq) || (seq as number) < 0 || (seq as number) > MAX_SEQ) return null;
  const clean = signalFor(signal, to);
  return clean ? { cid, from: other(to), seq: seq as number, signal: clean } : null;
}

/**
 * Peer A made the offer, so it only takes an answer; peer B only an offer; both take candidates.
 * A signal the other way round would be the server misrouting messages.
 */
function signalFor(value: unknown, to: Side): SignalData | null {
  if (typeof value !== 'object' || value === null) return null;
  const { type, sdp, candidate } = value as Record<string, unknown>;
  if (type === (to === 'A' ? 'answer' : 'offer')) {
    return typeof sdp === 'string' && sdp.length <= MAX_SDP_CHARS ? { type, sdp } : null;
  }
  if (type !== 'candidate' || typeof candidate !== 'object' || candidate === null) return null;
  const fields = candidate as Record<string, unknown>;
  if (typeof fields.candidate !== 'string' || fields.candidate.length > 1024) return null;
  const index = fields.sdpMLineIndex;
  const mid = fields.sdpMid;
  return {
    type: 'candidate',
    candidate: {
      candidate: fields.candidate,
      sdpMLineIndex:
        Number.isInteger(index) && (index as number) >= 0 && (index as number) < 1024
          ? (index as number)
          : null,
      sdpMid: typeof mid === 'string' && mid.length <= 64 ? mid : null,
    },
  };
}

/**
 * Both directions of one session: numbers outgoing messages, and delivers incoming ones in order,
 * once each, to the handler the peer pair installs (holding them until it does).
 */
export class SessionChannels {
  readonly counts = { sent: 0, relayed: 0, garbage: 0 };
  private readonly nextOut: Record<Side, number> = { A: 0, B: 0 };
  private readonly nextIn: Record<Side, number> = { A: 0, B: 0 };
  private readonly held: Record<Side, Map<number, SignalData>> = { A: new Map(), B: new Map() };
  private readonly handlers: Partial<Record<Side, (message: SignalData) => void>> = {};
  private failure: ((error: ProbeFailure) => void) | null = null;
  private closed = false;
  readonly failed: Promise<never>;

  constructor(readonly correlationId: string) {
    this.failed = new Promise<never>((_resolve, reject) => {
      this.failure = reject;
    });
    // a failure nobody waits for (the session already ended) must not become an unhandled rejection
    this.failed.catch(() => {});
  }

  /** The envelope for the next message from `from`. */
  envelope(from: Side, signal: SignalData): Envelope {
    this.counts.sent++;
    return { cid: this.correlationId, from, seq: this.nextOut[from]++, signal };
  }

  receive(to: Side, handler: (message: SignalData) => void): void {
    this.handlers[to] = handler;
    this.flush(to);
  }

  /** An envelope that came out of the server for side `to`. */
  arrived(to: Side, envelope: Envelope): void {
    if (this.closed || envelope.seq < this.nextIn[to] || this.held[to].has(envelope.seq)) return;
    this.counts.relayed++;
    this.held[to].set(envelope.seq, envelope.signal);
    this.flush(to);
  }

  fail(error: ProbeFailure): void {
    if (!this.closed) this.failure?.(error);
  }

  /** From teardown on, frames and socket closes are expected and ignored. */
  close(): void {
    this.closed = true;
  }

  private flush(to: Side): void {
    const handler = this.handlers[to];
    const held = this.held[to];
    while (handler && !this.closed && held.has(this.nextIn[to])) {
      const message = held.get(this.nextIn[to]) as SignalData;
      held.delete(this.nextIn[to]++);
      handler(message);
    }
  }
}
