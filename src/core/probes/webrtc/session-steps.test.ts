import { describe, expect, it } from 'vitest';
import { AttemptLedger } from '../../ledger/ledger';
import { ProbeFailure, type ProbeContext } from '../types';
import { percentile, rttFigures, stageWait } from './session-steps';

function context(signal: AbortSignal, ledger: AttemptLedger): ProbeContext {
  return {
    signal,
    resources: ledger.scope(),
    timeouts: {} as ProbeContext['timeouts'],
    correlationId: 'c1',
    attempt: 1,
    lookup: (() => {
      throw new Error('no lookup here');
    }) as unknown as ProbeContext['lookup'],
    targets: [],
    emit: () => {},
    stage: () => {},
  };
}

/** Collects the process's unhandled rejections while `body` runs (and one turn after it). */
async function unhandledDuring(body: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', listener);
  try {
    await body();
    await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    process.off('unhandledRejection', listener);
  }
  return seen;
}

describe('stageWait', () => {
  // The monitor's stop test caught it: a session job that began after the diagnosis was cancelled
  // got "cancelled" at once, and its transport's own rejection crashed the process.
  it('cancelled before it began: rejects as aborted, and the work failing later is handled', async () => {
    const ledger = new AttemptLedger();
    const controller = new AbortController();
    controller.abort();
    const unhandled = await unhandledDuring(async () => {
      const work = Promise.reject(new ProbeFailure('aborted', 'signaling-connect', 'cancelled'));
      await expect(
        stageWait(context(controller.signal, ledger), 'signaling-connect', 1000, work),
      ).rejects.toThrow('cancelled');
    });
    expect(unhandled).toEqual([]);
    expect(ledger.counts().leaked).toBe(0);
  });

  it('timed out: rejects with the timeout, and the work failing after it is handled', async () => {
    const ledger = new AttemptLedger();
    const unhandled = await unhandledDuring(async () => {
      let fail: (error: Error) => void = () => {};
      const work = new Promise<never>((_, reject) => (fail = reject));
      await expect(
        stageWait(context(new AbortController().signal, ledger), 'offer', 10, work),
      ).rejects.toThrow('no progress within 10 ms');
      fail(new Error('the socket closed afterwards'));
    });
    expect(unhandled).toEqual([]);
    expect(ledger.counts().leaked).toBe(0);
  });
});

describe('rttFigures', () => {
  it('gives p50, nearest-rank p95 and the mean absolute difference of consecutive round trips', () => {
    // sent in this order; sorted: 10 10 11 12 30 → p50 11, p95 30
    expect(rttFigures([10, 12, 10, 30, 11])).toEqual({
      rttMsP50: 11,
      rttMsP95: 30,
      // |12-10| + |10-12| + |30-10| + |11-30| = 43, over 4 differences
      jitterMs: 10.75,
    });
  });

  it('has no figure without round trips, and no jitter from a single one', () => {
    expect(rttFigures([])).toEqual({ rttMsP50: null, rttMsP95: null, jitterMs: null });
    expect(rttFigures([4])).toEqual({ rttMsP50: 4, rttMsP95: 4, jitterMs: null });
  });

  it('picks the 95th of 100 values as p95', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 95)).toBe(95);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile([], 95)).toBe(0);
  });
});
