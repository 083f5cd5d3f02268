/**
 * The quality echo of a peer pair: `count` small sequenced messages from A on an unreliable,
 * unordered data channel (no retransmission, like a media packet), paced, each echoed by B. What
 * came back within the window gives loss, and the round trips of those gives RTT p50/p95 and jitter:
 * on the reliable channel a lost packet is resent, and its delay would read as latency instead of
 * loss. simple-peer offers one channel, so this one is a second, pre-negotiated channel on the two
 * RTCPeerConnections themselves; once SCTP is up it opens without a round trip (no DCEP), and adding
 * it needs no renegotiation (only the first channel does). Both channels and both timers are on the
 * attempt's ledger.
 */
import type { ProbeContext } from '../types';
import type { PeerPair, SideState } from './peer-pair';

export interface EchoPlan {
  /** How many messages are sent. */
  count: number;
  /** The pace: one message every `spacingMs`. */
  spacingMs: number;
  /** How long after the last message an echo still counts; the window closes early once all are back. */
  graceMs: number;
  /** How long the channels may take to open; when they do not, nothing is sent. */
  openMs: number;
}

export interface EchoSample {
  sent: number;
  received: number;
  /** The round trips of the echoes that came back, in the order their messages were sent. */
  rttsInSendOrder: number[];
}

/** simple-peer's in-band channel takes stream 0 or 1 (by DTLS role): this one keeps clear of it. */
const CHANNEL_ID = 100;
const LABEL = 'rtc-triage-quality';
const MESSAGE_BYTES = 64;
/** Room for timers that fire late, before the window's hard end cuts the grace short. */
const PACING_SLACK_MS = 100;

/** The longest `lossEcho` takes with this plan: open, pace, grace. */
export function echoBudgetMs(plan: EchoPlan): number {
  return plan.openMs + plan.count * plan.spacingMs + PACING_SLACK_MS + plan.graceMs;
}

interface RawChannel {
  readonly readyState: string;
  binaryType: string;
  send(data: Buffer): void;
  close(): void;
  onopen: (() => void) | null;
  onmessage: ((event: { data: string | ArrayBuffer }) => void) | null;
}

interface CreatesNegotiatedChannels {
  createDataChannel(
    label: string,
    init: { negotiated: true; id: number; ordered: false; maxRetransmits: 0 },
  ): RawChannel;
}

function openChannel(side: SideState, ctx: ProbeContext): RawChannel {
  const channel = (side.pc as unknown as CreatesNegotiatedChannels).createDataChannel(LABEL, {
    negotiated: true,
    id: CHANNEL_ID,
    ordered: false,
    maxRetransmits: 0,
  });
  channel.binaryType = 'arraybuffer';
  ctx.resources.register('data-channel', `quality channel ${side.name}`, () => {
    channel.onopen = null;
    channel.onmessage = null;
    channel.close();
  });
  return channel;
}

function opened(channel: RawChannel): Promise<void> {
  return new Promise<void>((resolve) => {
    if (channel.readyState === 'open') return resolve();
    channel.onopen = () => resolve();
  });
}

/** Never rejects: a window that ends early, or channels that never open, report what they saw. */
export async function lossEcho(ctx: ProbeContext, pair: PeerPair, plan: EchoPlan): Promise<EchoSample> {
  // B's channel first: a message for a stream B has no channel for yet would be dropped as lost
  const b = openChannel(pair.b, ctx);
  const a = openChannel(pair.a, ctx);
  b.onmessage = (event) => {
    if (typeof event.data === 'string') return;
    try {
      b.send(Buffer.from(event.data));
    } catch {
      // a closed channel: the message counts as lost
    }
  };
  const ready = await new Promise<boolean>((resolve) => {
    const timer = ctx.resources.timeout('quality channel open', plan.openMs, () => resolve(false));
    void Promise.all([opened(a), opened(b)]).then(() => {
      timer.release();
      resolve(true);
    });
  });
  if (!ready) return { sent: 0, received: 0, rttsInSendOrder: [] };

  const sentAt: number[] = [];
  const rtts = new Map<number, number>();
  return new Promise<EchoSample>((resolve) => {
    let closed = false;
    /**
     * `cutoff`: on the hard end, a message sent less than `graceMs` before it that is not back yet
     * is neither received nor lost (a busy event loop ran the pacing late); it is left out of `sent`.
     */
    const close = (cutoff: number | null) => {
      if (closed) return;
      closed = true;
      pacing.release();
      end.release();
      grace?.release();
      a.onmessage = null;
      const counted = sentAt.filter((at, i) => cutoff === null || at <= cutoff || rtts.has(i)).length;
      const order = [...rtts.keys()].sort((x, y) => x - y);
      resolve({ sent: counted, received: rtts.size, rttsInSendOrder: order.map((i) => rtts.get(i) ?? 0) });
    };
    a.onmessage = (event) => {
      if (closed || typeof event.data === 'string' || event.data.byteLength < 4) return;
      const seq = new DataView(event.data).getUint32(0);
      const at = sentAt[seq];
      if (at === undefined || rtts.has(seq)) return;
      rtts.set(seq, performance.now() - at);
      if (sentAt.length === plan.count && rtts.size === plan.count) close(null);
    };
    let grace: { release(): void } | undefined;
    const started = performance.now();
    // each tick sends what is due by now: a tick that runs late catches up instead of the pace drifting
    const sendDue = () => {
      if (closed) return;
      const due = Math.min(plan.count, Math.floor((performance.now() - started) / plan.spacingMs) + 1);
      while (sentAt.length < due) {
        const message = Buffer.alloc(MESSAGE_BYTES, 0x51);
        message.writeUInt32BE(sentAt.length, 0);
        sentAt.push(performance.now());
        try {
          a.send(message);
        } catch {
          // a refused send is a lost message
        }
      }
      if (sentAt.length < plan.count) return;
      pacing.release();
      grace = ctx.resources.timeout('quality echo window', plan.graceMs, () => close(null));
    };
    // the window never outlasts its plan, however late a busy event loop runs the timers
    const end = ctx.resources.timeout(
      'quality echo end',
      plan.count * plan.spacingMs + PACING_SLACK_MS + plan.graceMs,
      () => close(performance.now() - plan.graceMs),
    );
    const handle = setInterval(sendDue, plan.spacingMs);
    const pacing = ctx.resources.register('timer', 'quality echo pacing', () => clearInterval(handle));
    sendDue();
  });
}
