/** Sliding-window failure rates over a series of buckets (prefix sums: O(buckets) per window size). */
export interface Series {
  scope: string;
  targetIds: string[];
  attempts: Float64Array;
  failures: Float64Array;
  timeouts: Float64Array;
  noRoute: Float64Array;
}

export interface Episode {
  /** First and last bucket index, inclusive. */
  first: number;
  last: number;
  attempts: number;
  failures: number;
  timeouts: number;
  noRoute: number;
  peakRate: number;
}

export function sum(values: Float64Array, first: number, last: number): number {
  let total = 0;
  for (let i = Math.max(0, first); i <= last && i < values.length; i++) total += values[i] as number;
  return total;
}

/**
 * Every window of `width` buckets with more than `minAttempts` attempts and a failure rate above
 * `minRate`, merged into episodes, then trimmed to the buckets that themselves failed that much.
 */
export function windowEpisodes(
  series: Series,
  width: number,
  minRate: number,
  minAttempts: number,
): Episode[] {
  const n = series.attempts.length;
  const attemptsPrefix = new Float64Array(n + 1);
  const failuresPrefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    attemptsPrefix[i + 1] = (attemptsPrefix[i] as number) + (series.attempts[i] as number);
    failuresPrefix[i + 1] = (failuresPrefix[i] as number) + (series.failures[i] as number);
  }
  const episodes: Episode[] = [];
  let open: { first: number; last: number; peak: number } | null = null;
  for (let end = 0; end < n; end++) {
    const start = Math.max(0, end - width + 1);
    const attempts = (attemptsPrefix[end + 1] as number) - (attemptsPrefix[start] as number);
    const failures = (failuresPrefix[end + 1] as number) - (failuresPrefix[start] as number);
    if (attempts > minAttempts && failures / attempts > minRate) {
      const rate = failures / attempts;
      if (open && start <= open.last + 1) {
        open.last = end;
        open.peak = Math.max(open.peak, rate);
      } else {
        if (open) episodes.push(close(series, open, minRate));
        open = { first: start, last: end, peak: rate };
      }
    }
  }
  if (open) episodes.push(close(series, open, minRate));
  return episodes.filter((e) => e.attempts > 0);
}

function close(
  series: Series,
  open: { first: number; last: number; peak: number },
  minRate: number,
): Episode {
  const bad = (i: number) => {
    const attempts = series.attempts[i] as number;
    return attempts > 0 && (series.failures[i] as number) / attempts > minRate;
  };
  let first = open.first;
  let last = open.last;
  while (first < last && !bad(first)) first++;
  while (last > first && !bad(last)) last--;
  return {
    first,
    last,
    attempts: sum(series.attempts, first, last),
    failures: sum(series.failures, first, last),
    timeouts: sum(series.timeouts, first, last),
    noRoute: sum(series.noRoute, first, last),
    peakRate: open.peak,
  };
}

/** Up/down changes of a series, bucket by bucket (a bucket is "down" when more than half its attempts failed). */
export function flips(
  series: Series,
  maxGapBuckets: number,
  minFlips: number,
  minBucketAttempts = 1,
): Array<{ first: number; last: number; count: number }> {
  const runs: Array<{ first: number; last: number; count: number }> = [];
  let previous: { index: number; down: boolean } | null = null;
  let current: { first: number; last: number; count: number } | null = null;
  for (let i = 0; i < series.attempts.length; i++) {
    const attempts = series.attempts[i] as number;
    // A bucket with a single attempt is one coin toss, not a state.
    if (attempts < minBucketAttempts) continue;
    const down = (series.failures[i] as number) / attempts > 0.5;
    if (previous && previous.down !== down) {
      if (current && i - current.last <= maxGapBuckets) {
        current.last = i;
        current.count++;
      } else {
        if (current && current.count >= minFlips) runs.push(current);
        current = { first: previous.index, last: i, count: 1 };
      }
    }
    previous = { index: i, down };
  }
  if (current && current.count >= minFlips) runs.push(current);
  return runs;
}
