import { ProbeFailure, type ProbeContext } from '../types';
import type { PeerPair, SideState } from './peer-pair';
import { round } from './wrtc';

/** Budget for the echo (and throughput sample) once connected: the config has no timeout for it. */
export const ECHO_MS = 5000;
const PING_PREFIX = 'ping:';

/** Waits for one stage, bounded by its timeout and by cancellation; the timer is on the ledger. */
export function stageWait<T>(
  ctx: ProbeContext,
  stage: string,
  ms: number,
  work: Promise<T>,
  onTimeout?: () => ProbeFailure,
): Promise<T> {
  ctx.stage(stage);
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const finish = (action: () => void) => {
      if (done) return;
      done = true;
      timer.release();
      ctx.signal.removeEventListener('abort', onAbort);
      action();
    };
    const onAbort = () => finish(() => reject(new ProbeFailure('aborted', stage, 'cancelled')));
    const timer = ctx.resources.timeout(`${stage} deadline`, ms, () =>
      finish(() =>
        reject(onTimeout?.() ?? new ProbeFailure('timeout', stage, `no progress within ${ms} ms`)),
      ),
    );
    // The work is always followed, even when the wait ends first (cancelled before it began, or
    // timed out): a rejection nobody handles would end the process (an unhandled rejection).
    work.then(
      (value) => finish(() => resolve(value)),
      (error: unknown) => finish(() => reject(error)),
    );
    if (ctx.signal.aborted) return onAbort();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** B echoes every ping back to A; anything else B receives goes to `other`. */
export function answerPings(pair: PeerPair, other: (data: Buffer) => void = () => {}): void {
  const b = pair.b;
  b.onData((data) => {
    if (data.length < 32 && data.toString('utf8').startsWith(PING_PREFIX)) safeSend(b, data);
    else other(data);
  });
}

/**
 * `count` sequential pings from A over the data channel; the round trips, sorted ascending. Each is
 * also pushed to `into` as it is measured; `stopped` ends the loop before the next ping.
 */
export async function pingRtts(
  pair: PeerPair,
  count: number,
  into: number[] = [],
  stopped: () => boolean = () => false,
): Promise<number[]> {
  const a = pair.a;
  const rtts = into;
  for (let i = 0; i < count && !stopped(); i++) {
    const payload = `${PING_PREFIX}${i}`;
    const sentAt = performance.now();
    await new Promise<void>((resolve) => {
      const stop = a.onData((data) => {
        if (data.toString('utf8') !== payload) return;
        stop();
        resolve();
      });
      safeSend(a, Buffer.from(payload));
    });
    rtts.push(performance.now() - sentAt);
  }
  return [...rtts].sort((x, y) => x - y);
}

/**
 * Up to `count` pings within `ms`: the round trips measured, sorted. One echo proves the path
 * carries data; on a lossy path the others may not fit, and the sample is smaller instead of the
 * session failing (the network lab's 30% loss). No echo at all is a timeout. B must answer pings.
 */
export function echoWithin(ctx: ProbeContext, pair: PeerPair, count: number, ms: number): Promise<number[]> {
  const rtts: number[] = [];
  let stopped = false;
  return new Promise<number[]>((resolve, reject) => {
    const finish = () => {
      if (stopped) return;
      stopped = true;
      timer.release();
      if (rtts.length > 0) resolve([...rtts].sort((x, y) => x - y));
      else
        reject(
          new ProbeFailure(
            'timeout',
            'echo',
            `the data channel opened but no ping came back within ${ms} ms`,
          ),
        );
    };
    const timer = ctx.resources.timeout('echo budget', ms, finish);
    void pingRtts(pair, count, rtts, () => stopped).then(finish);
  });
}

export function median(sorted: readonly number[]): number {
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
}

/** Nearest-rank percentile of ascending values (p50 is `median`'s lower median); 0 when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1] ?? 0;
}

/**
 * RTT p50/p95 and jitter of round trips given in the order they were sent. Jitter is the mean
 * absolute difference of consecutive round trips: RFC 3550's D(i-1, i), averaged rather than
 * smoothed with its 1/16 gain, because a sample this short would leave the filter still near its
 * start value. Null figures when there are too few round trips (one for RTT, two for jitter).
 */
export function rttFigures(inSendOrder: readonly number[]): {
  rttMsP50: number | null;
  rttMsP95: number | null;
  jitterMs: number | null;
} {
  const sorted = [...inSendOrder].sort((x, y) => x - y);
  let spread = 0;
  for (let i = 1; i < inSendOrder.length; i++)
    spread += Math.abs((inSendOrder[i] ?? 0) - (inSendOrder[i - 1] ?? 0));
  return {
    rttMsP50: sorted.length > 0 ? round(median(sorted)) : null,
    rttMsP95: sorted.length > 0 ? round(percentile(sorted, 95)) : null,
    jitterMs: inSendOrder.length > 1 ? round(spread / (inSendOrder.length - 1)) : null,
  };
}

/** send() throws once the channel is closed; a send that fails shows up as the echo stage timing out. */
export function safeSend(side: SideState, data: Buffer): void {
  try {
    side.send(data);
  } catch {
    // the stage deadline or the pair's failure reports it
  }
}
