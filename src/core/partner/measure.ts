/**
 * What runs over a connected session, driven by the host and answered by the joiner: data-channel
 * pings (RTT), a short burst of small packets on the unreliable channel (loss), and a bounded bulk
 * transfer on the reliable one (throughput). Control messages are JSON text on the reliable
 * channel; the burst and the bulk data are binary.
 */
import { ProbeFailure, type Metrics, type ProbeContext } from '../probes/types';
import { rttFigures } from '../probes/webrtc/session-steps';
import { round } from '../probes/webrtc/wrtc';
import type { RemotePeer, SessionChannel } from './remote-peer';

export const PINGS = 10;
export const BURST_PACKETS = 200;
const BURST_TICK_MS = 50;
const BURST_PER_TICK = 10;
const BURST_BYTES = 100;
export const BULK_BYTES = 256 * 1024;
const CHUNK_BYTES = 16 * 1024;
/** How long the receiver may still see burst packets after the last one left. */
const BURST_GRACE_MS = 500;
/** Budget for all measurements once connected (the config has no timeout for it). */
export const MEASURE_MS = 15_000;

type Control =
  | { k: 'ping'; i: number }
  | { k: 'pong'; i: number }
  | { k: 'burst-end'; sent: number }
  | { k: 'burst-count'; received: number }
  | { k: 'bulk'; bytes: number }
  | { k: 'bulk-done'; bytes: number };

function sendControl(channel: SessionChannel, message: Control): void {
  try {
    channel.send(JSON.stringify(message));
  } catch {
    // a closed channel shows up as the measure stage failing
  }
}

function parseControl(data: string | ArrayBuffer): Control | null {
  if (typeof data !== 'string' || data.length > 200) return null;
  try {
    const parsed = JSON.parse(data) as Control;
    return typeof parsed === 'object' && parsed !== null && typeof parsed.k === 'string' ? parsed : null;
  } catch {
    return null;
  }
}

/** The joiner's side: echo pings, count burst packets and bulk bytes, report when asked. */
export function answerMeasurements(peer: RemotePeer): void {
  const seen = new Set<number>();
  let bulkExpected = Number.POSITIVE_INFINITY;
  let bulkReceived = 0;
  peer.burst.onmessage = (event) => {
    if (typeof event.data === 'string' || event.data.byteLength < 4) return;
    seen.add(new DataView(event.data).getUint32(0));
  };
  peer.reliable.onmessage = (event) => {
    if (typeof event.data !== 'string') {
      bulkReceived += event.data.byteLength;
      if (bulkReceived >= bulkExpected) {
        sendControl(peer.reliable, { k: 'bulk-done', bytes: bulkReceived });
        bulkExpected = Number.POSITIVE_INFINITY;
      }
      return;
    }
    const message = parseControl(event.data);
    if (message?.k === 'ping') sendControl(peer.reliable, { k: 'pong', i: message.i });
    if (message?.k === 'burst-end') sendControl(peer.reliable, { k: 'burst-count', received: seen.size });
    if (message?.k === 'bulk') {
      bulkExpected = message.bytes;
      bulkReceived = 0;
    }
  };
}

/** The host's side: every measurement in turn; the metrics for the shared table. */
export async function measure(peer: RemotePeer, ctx: ProbeContext): Promise<Metrics> {
  let waiting: { accept: (message: Control) => boolean; resolve: (message: Control) => void } | null = null;
  peer.reliable.onmessage = (event) => {
    const message = parseControl(event.data);
    if (message && waiting?.accept(message)) {
      const { resolve } = waiting;
      waiting = null;
      resolve(message);
    }
  };
  const reply = (send: () => void, accept: (message: Control) => boolean) =>
    new Promise<Control>((resolve) => {
      waiting = { accept, resolve };
      send();
    });

  const rtts: number[] = [];
  for (let i = 0; i < PINGS; i++) {
    const sentAt = performance.now();
    await reply(
      () => sendControl(peer.reliable, { k: 'ping', i }),
      (m) => m.k === 'pong' && m.i === i,
    );
    rtts.push(performance.now() - sentAt);
  }
  // p95 and jitter over the pings in the order sent (contract/quality.ts grades them)
  const figures = rttFigures(rtts);
  rtts.sort((a, b) => a - b);
  const rttP50 = rtts[Math.floor((rtts.length - 1) / 2)] ?? 0;
  ctx.emit('partner.rtt', { rttMsP50: round(rttP50) });

  ctx.stage('measure-loss');
  const sent = await sendBurst(peer.burst, ctx);
  await new Promise<void>((resolve) =>
    ctx.resources.timeout('burst grace', BURST_GRACE_MS + 2 * rttP50, resolve),
  );
  const counted = await reply(
    () => sendControl(peer.reliable, { k: 'burst-end', sent }),
    (m) => m.k === 'burst-count',
  );
  const received = counted.k === 'burst-count' ? Math.min(counted.received, sent) : 0;

  ctx.stage('measure-throughput');
  const bulkStarted = performance.now();
  const done = reply(
    () => {
      sendControl(peer.reliable, { k: 'bulk', bytes: BULK_BYTES });
      const chunk = Buffer.alloc(CHUNK_BYTES, 0x42);
      try {
        for (let sentBytes = 0; sentBytes < BULK_BYTES; sentBytes += CHUNK_BYTES) peer.reliable.send(chunk);
      } catch (error) {
        throw new ProbeFailure(
          'unreachable',
          'measure-throughput',
          `the data channel refused the bulk transfer: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    },
    (m) => m.k === 'bulk-done',
  );
  const bulk = await done;
  const bulkMs = performance.now() - bulkStarted;
  const bytes = bulk.k === 'bulk-done' ? bulk.bytes : 0;

  return {
    pings: rtts.length,
    rttMsP50: round(rttP50),
    rttMsP95: figures.rttMsP95,
    rttMsMax: round(rtts.at(-1) ?? 0),
    jitterMs: figures.jitterMs,
    burstSent: sent,
    burstReceived: received,
    lossPct: sent > 0 ? round(((sent - received) / sent) * 100) : null,
    throughputBytes: bytes,
    throughputMs: round(bulkMs),
    throughputKbps: Math.round((bytes * 8) / Math.max(bulkMs, 0.001)),
  };
}

/** BURST_PACKETS small packets, BURST_PER_TICK every BURST_TICK_MS: a short, paced burst. */
function sendBurst(channel: SessionChannel, ctx: ProbeContext): Promise<number> {
  return new Promise<number>((resolve) => {
    let seq = 0;
    const packet = Buffer.alloc(BURST_BYTES, 0x55);
    const tick = () => {
      for (let i = 0; i < BURST_PER_TICK && seq < BURST_PACKETS; i++, seq++) {
        packet.writeUInt32BE(seq, 0);
        try {
          channel.send(Buffer.from(packet));
        } catch {
          // a refused send is a lost packet
        }
      }
      if (seq >= BURST_PACKETS) resolve(seq);
      else ctx.resources.timeout('burst tick', BURST_TICK_MS, tick);
    };
    tick();
  });
}
