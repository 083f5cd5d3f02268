import { describe, expect, it } from 'vitest';
import { RetrySchema } from '../../contract';
import { ExponentialBackoff } from './retry';

const seed = RetrySchema.parse({});

/** A seeded PRNG (mulberry32): reproducible "randomness" for the jitter samples. */
function mulberry32(seedValue: number): () => number {
  let a = seedValue;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('ExponentialBackoff (the seed: 5 attempts, 1 s base, x2, 10 s cap)', () => {
  it('gives the exact sequence without jitter, then gives up after the 5th attempt', () => {
    const policy = new ExponentialBackoff({ ...seed, jitter: 'none' });
    const delays = [1, 2, 3, 4, 5].map((n) => policy.nextDelayMs(n, 'timeout'));
    expect(delays).toEqual([1000, 2000, 4000, 8000, null]);
  });

  it('caps the delay', () => {
    const policy = new ExponentialBackoff({ ...seed, maxAttempts: 10, jitter: 'none' });
    expect([5, 6, 7, 8, 9].map((n) => policy.nextDelayMs(n, 'timeout'))).toEqual([
      10000, 10000, 10000, 10000, 10000,
    ]);
  });

  it('keeps full jitter within [0, ceiling] over 10,000 samples and spreads it', () => {
    const policy = new ExponentialBackoff({ ...seed, maxAttempts: 10 }, mulberry32(42));
    for (const attempt of [1, 2, 3, 4, 5]) {
      const ceiling = policy.ceilingMs(attempt);
      const samples = Array.from({ length: 10_000 }, () => policy.nextDelayMs(attempt, 'timeout') as number);
      expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...samples)).toBeLessThanOrEqual(ceiling);
      const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
      // uniform on [0, ceiling]: the mean sits near the middle, and both ends are reached
      expect(Math.abs(mean - ceiling / 2)).toBeLessThan(ceiling * 0.03);
      expect(Math.min(...samples)).toBeLessThan(ceiling * 0.01);
      expect(Math.max(...samples)).toBeGreaterThan(ceiling * 0.99);
    }
  });

  it('does not retry answers that will not change (dns, refused, tls, cancel)', () => {
    const policy = new ExponentialBackoff({ ...seed, jitter: 'none' });
    for (const errorClass of ['dns', 'refused', 'tls', 'aborted'] as const)
      expect(policy.nextDelayMs(1, errorClass)).toBeNull();
    for (const errorClass of ['timeout', 'malformed-reply', 'server-error', 'unreachable'] as const) {
      expect(policy.nextDelayMs(1, errorClass)).toBe(1000);
    }
  });

  it('respects a one-attempt policy', () => {
    expect(new ExponentialBackoff({ ...seed, maxAttempts: 1 }).nextDelayMs(1, 'timeout')).toBeNull();
  });
});
