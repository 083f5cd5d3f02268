/**
 * How sealed frames travel between the two testers through one signaling server. A transport only
 * moves opaque strings; `PartnerLink` (link.ts) seals, numbers, orders and checks them.
 */
import { ProbeNotApplicable, type ResolvedTarget } from '../probes/types';
import type { PartnerKeys } from './code';

export type SignalingTarget = Extract<ResolvedTarget, { kind: 'gun' | 'peerjs' }>;

/** `host`, or a joiner's random 16-hex-digit id. */
export type PeerName = string;

/** The meeting point's record on a GUN relay (sealed): lets a late joiner tell "used" from "expired". */
export type MeetingState = 'waiting' | 'used' | 'expired';

export interface PartnerTransport {
  readonly target: SignalingTarget;
  /** This side's name on the meeting point. */
  readonly me: PeerName;
  send(to: PeerName, seq: number, sealed: string): void;
  /** Every sealed frame addressed to `me`; `via` is the server's word for the sender where it has one. */
  onFrame(handler: (sealed: string, via: string | null) => void): void;
  /** The server says a peer is gone (PeerJS EXPIRE/LEAVE); GUN has no such notice. */
  onPeerGone(handler: (via: string) => void): void;
  /** The server's name for a peer (PeerJS id), to match `via`; null where the server has none. */
  addressOf(peer: PeerName): string | null;
  /** Rejects when the server drops this side's connection; never resolves. */
  readonly failed: Promise<never>;
  /** From now on a dropped connection is expected (teardown), not a failure. */
  quiet(): void;
}

/** A GUN relay keeps the meeting state; a PeerJS server keeps nothing once the host is gone. */
export interface StatefulTransport extends PartnerTransport {
  /** The sealed state the relay holds, or null when it holds none (nobody ever waited here). */
  readState(timeoutMs: number): Promise<string | null>;
  writeState(sealed: string): void;
}

export function isStateful(transport: PartnerTransport): transport is StatefulTransport {
  return 'readState' in transport;
}

/** Where a meeting lives on any server: derived from the code, never the code itself. */
export function meetingBase(keys: PartnerKeys): string {
  return `rtc-triage/partner/${keys.rendezvousId}`;
}

/** GUN HAM defers a write whose state lies in the relay's future; a clock ahead of the relay's must not stall. */
export const CLOCK_SKEW_ALLOWANCE_MS = 5 * 60_000;

/**
 * The server answered, and nobody waits behind this code there. Not a failure of the server: no
 * attempt is recorded against it (a typo must not look like an outage in the history).
 */
export class NobodyWaiting extends ProbeNotApplicable {
  constructor(reason: string) {
    super(reason);
    this.name = 'NobodyWaiting';
  }
}

/** The code was used or has expired: the joiner stops at once, whatever other servers it could still ask. */
export class CodeRejected extends ProbeNotApplicable {
  constructor(
    readonly problem: 'expired' | 'used',
    reason: string,
  ) {
    super(reason);
    this.name = 'CodeRejected';
  }
}
