/** Small statistics for benchmark figures: medians and spreads over repeated rounds, never means. */

export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const index = (sorted.length - 1) * q;
  const low = Math.floor(index);
  const high = Math.ceil(index);
  const a = sorted[low] as number;
  const b = sorted[high] as number;
  return a + (b - a) * (index - low);
}

export const median = (xs: readonly number[]): number => quantile(xs, 0.5);

export const ms = (value: number): string => `${value.toFixed(value < 10 ? 2 : 0)} ms`;

/** "median [min–max]" — the spread says how much one figure can be trusted on a shared machine. */
export function spread(xs: readonly number[], unit: (value: number) => string = ms): string {
  if (xs.length === 0) return 'n/a';
  return `${unit(median(xs))} [${unit(Math.min(...xs))}–${unit(Math.max(...xs))}]`;
}

/** The value seen most often (ties: the first seen). */
export function mode<T>(xs: readonly T[]): T | undefined {
  const counts = new Map<T, number>();
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
  let best: T | undefined;
  let bestCount = 0;
  for (const [x, n] of counts) if (n > bestCount) [best, bestCount] = [x, n];
  return best;
}
