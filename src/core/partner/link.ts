/**
 * The conversation between the two testers over one transport: frames are sealed with the code's
 * key, numbered per sender, delivered once each and in order, and checked for direction. Once
 * paired, both sides say `alive` about once a second; a partner silent for longer than the silence
 * limit (or one the server reports gone) ends the test as "partner lost".
 */
import { ProbeFailure } from '../probes/types';
import type { LedgerScope } from '../ledger/ledger';
import { seal, unseal, type PartnerKeys } from './code';
import { parseFrame, type Body, type Frame } from './messages';
import type { PartnerTransport, PeerName } from './transport';

/** Frames held per sender while an earlier one is missing: far above any real exchange. */
const MAX_HELD = 256;
export const HEARTBEAT_MS = 1000;

/** Seals and numbers outgoing frames, one sequence per destination. */
export class Outbox {
  constructor(
    private readonly transport: PartnerTransport,
    private readonly keys: PartnerKeys,
    /**
     * Shared by a joiner's tries on one server: a retry goes on numbering where the last try
     * stopped, so a host that already saw the first try does not drop the next as a duplicate.
     */
    private readonly next = new Map<PeerName, number>(),
  ) {}

  send(to: PeerName, body: Body): void {
    const seq = this.next.get(to) ?? 0;
    this.next.set(to, seq + 1);
    const frame: Frame = { v: 1, from: this.transport.me, to, seq, body };
    this.transport.send(to, seq, seal(this.keys, JSON.stringify(frame)));
  }
}

/** Opens, checks and orders incoming frames; hands each frame to `deliver` once, in its sender's order. */
export class Inbox {
  private readonly expected = new Map<PeerName, number>();
  private readonly held = new Map<PeerName, Map<number, Frame>>();
  /** Frames that did not open with this code's key or were not well-formed (another meeting, garbage). */
  rejected = 0;

  constructor(
    private readonly transport: PartnerTransport,
    private readonly keys: PartnerKeys,
    private readonly deliver: (frame: Frame) => void,
  ) {
    transport.onFrame((sealed, via) => this.accept(sealed, via));
  }

  private accept(sealed: string, via: string | null): void {
    const plaintext = unseal(this.keys, sealed);
    const frame = plaintext === null ? null : parseFrame(plaintext);
    if (!frame || frame.to !== this.transport.me) {
      this.rejected++;
      return;
    }
    // where the server names the sender (PeerJS), it must be the one the frame claims
    if (via !== null && via !== this.transport.addressOf(frame.from)) {
      this.rejected++;
      return;
    }
    const expected = this.expected.get(frame.from) ?? 0;
    if (frame.seq < expected) return;
    let held = this.held.get(frame.from);
    if (!held) this.held.set(frame.from, (held = new Map()));
    if (held.size >= MAX_HELD) return;
    held.set(frame.seq, frame);
    for (let seq = expected; held.has(seq); seq++) {
      const next = held.get(seq) as Frame;
      held.delete(seq);
      this.expected.set(frame.from, seq + 1);
      this.deliver(next);
    }
  }
}

export interface LinkOptions {
  /** No frame from the partner for this long: it is gone. */
  silenceMs: number;
}

/** The paired conversation with one partner. */
export class PartnerLink {
  private handler: ((body: Body) => void) | null = null;
  /** Frames that came before the session installed its handler (the host talks right after `welcome`). */
  private readonly pending: Body[] = [];
  private readonly aliveWaiters: Array<(alive: boolean) => void> = [];
  private lastHeard = performance.now();
  private closed = false;
  private fail: (error: ProbeFailure) => void = () => {};
  /** Rejects when the partner is lost (silent, gone, left) or the server drops us; never resolves. */
  readonly lost: Promise<never>;

  constructor(
    readonly transport: PartnerTransport,
    private readonly outbox: Outbox,
    readonly peer: PeerName,
    scope: LedgerScope,
    options: LinkOptions,
  ) {
    this.lost = new Promise<never>((_resolve, reject) => {
      this.fail = (error) => {
        if (!this.closed) reject(error);
      };
    });
    this.lost.catch(() => {});
    transport.failed.catch((error: unknown) =>
      this.fail(
        error instanceof ProbeFailure
          ? error
          : new ProbeFailure('refused', 'signaling', 'the signaling server dropped the connection'),
      ),
    );
    transport.onPeerGone((via) => {
      if (via === transport.addressOf(peer))
        this.fail(
          new ProbeFailure(
            'timeout',
            'partner',
            `${serverName(transport)} reports the partner gone: its tester was closed, crashed or lost its network`,
            { partnerLost: true },
          ),
        );
    });
    const heartbeat = setInterval(() => {
      if (this.closed) return;
      const silent = performance.now() - this.lastHeard;
      if (silent > options.silenceMs) {
        this.fail(
          new ProbeFailure(
            'timeout',
            'partner',
            `the partner stopped answering (nothing for ${Math.round(silent / 1000)} s through ${serverName(transport)}): its tester was closed, crashed or lost its network`,
            { partnerLost: true },
          ),
        );
        return;
      }
      this.send({ t: 'alive' });
    }, HEARTBEAT_MS);
    scope.register('timer', 'partner heartbeat', () => clearInterval(heartbeat));
    scope.register('other', 'partner link', () => this.close());
  }

  /** A frame from the partner (the owner of the transport routes them here). */
  received(body: Body): void {
    if (this.closed) return;
    this.lastHeard = performance.now();
    for (const waiter of this.aliveWaiters.splice(0)) waiter(true);
    if (body.t === 'alive') return;
    if (body.t === 'bye' && body.reason === 'cancelled') {
      this.fail(
        new ProbeFailure('aborted', 'partner', 'the partner cancelled the test', { partnerLost: true }),
      );
      return;
    }
    if (this.handler) this.handler(body);
    else if (this.pending.length < 1000) this.pending.push(body);
  }

  /**
   * Resolves true at the partner's next frame (it says `alive` every second), false when it is lost
   * first. A session that failed asks this before blaming the network: a partner that vanished
   * makes every stage time out, and that proves nothing about the path.
   */
  confirmAlive(): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      this.aliveWaiters.push(resolve);
      this.lost.catch(() => resolve(false));
    });
  }

  on(handler: (body: Body) => void): void {
    this.handler = handler;
    for (const body of this.pending.splice(0)) handler(body);
  }

  send(body: Body): void {
    if (!this.closed) this.outbox.send(this.peer, body);
  }

  close(): void {
    this.closed = true;
  }
}

export function serverName(transport: PartnerTransport): string {
  return transport.target.kind === 'gun'
    ? `the GUN relay ${transport.target.url}`
    : `the PeerJS server ${transport.target.url}`;
}
