import type { HeatmapCell, HistoryCharts, SeriesPoint, TargetSeries } from '../../contract';
import { localTime } from '../analysis/local-time';
import { percentile } from '../analysis/target-status';
import { BUCKET_MS, type HistoryQueries } from '../store/queries';
import type { UiQueries } from '../store/ui-queries';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Series steps, smallest first: each a whole number of the store's 5-minute buckets. */
const STEPS = [5 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY];
/** Enough points to see an outage's shape, few enough to draw and read. */
export const MAX_POINTS = 96;

export function stepFor(windowMs: number): number {
  return STEPS.find((step) => windowMs / step <= MAX_POINTS) ?? DAY;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The History screen's charts over [from, to): per target, attempts, failures and median RTT per
 * step (from the 5-minute buckets and the attempts' RTTs), and an hour-of-day × local-day heatmap of
 * attempts and failures of every target, where a nightly maintenance window shows as a band.
 */
export function historyCharts(
  queries: { history: HistoryQueries; ui: UiQueries },
  options: { from: number; to: number; timeZone: string },
): HistoryCharts {
  const { from, to, timeZone } = options;
  const stepMs = stepFor(to - from);
  const first = Math.floor(from / stepMs) * stepMs;
  const steps = Math.max(1, Math.ceil((to - first) / stepMs));
  const stored = new Map(queries.history.targets().map((t) => [t.id, t]));

  const perTarget = new Map<string, { attempts: number[]; failures: number[]; rtts: number[][] }>();
  const series = (targetId: string) => {
    let entry = perTarget.get(targetId);
    if (!entry) {
      entry = {
        attempts: new Array<number>(steps).fill(0),
        failures: new Array<number>(steps).fill(0),
        rtts: Array.from({ length: steps }, () => []),
      };
      perTarget.set(targetId, entry);
    }
    return entry;
  };

  const hourOf = new Map<number, { date: string; hour: number }>();
  const cells = new Map<string, HeatmapCell>();
  for (const column of queries.history.bucketsBetween(from, to)) {
    const entry = series(column.targetId);
    column.buckets.forEach((bucket, i) => {
      // The first bucket may start up to 5 minutes before `from`: it counts in the first step.
      const start = bucket * BUCKET_MS;
      const attempts = column.attempts[i] ?? 0;
      const failures = column.failures[i] ?? 0;
      const index = Math.min(steps - 1, Math.max(0, Math.floor((start - first) / stepMs)));
      entry.attempts[index] = (entry.attempts[index] ?? 0) + attempts;
      entry.failures[index] = (entry.failures[index] ?? 0) + failures;

      let local = hourOf.get(bucket);
      if (!local) {
        const time = localTime(start, timeZone);
        local = { date: time.date, hour: Math.floor(time.minute / 60) };
        hourOf.set(bucket, local);
      }
      const key = `${local.date} ${local.hour}`;
      const cell = cells.get(key) ?? { date: local.date, hour: local.hour, attempts: 0, failures: 0 };
      cell.attempts += attempts;
      cell.failures += failures;
      cells.set(key, cell);
    });
  }
  for (const sample of queries.ui.rttSamplesBetween(from, to)) {
    const index = Math.floor((sample.startedAt - first) / stepMs);
    series(sample.targetId).rtts[index]?.push(sample.rtt);
  }

  const result: TargetSeries[] = [];
  for (const [targetId, entry] of perTarget) {
    const target = stored.get(targetId);
    const points: SeriesPoint[] = entry.attempts.map((attempts, i) => {
      const rtts = (entry.rtts[i] ?? []).sort((a, b) => a - b);
      return {
        at: iso(first + i * stepMs),
        attempts,
        failures: entry.failures[i] ?? 0,
        rttP50: rtts.length ? percentile(rtts, 50) : null,
      };
    });
    result.push({
      targetId,
      kind: target?.kind ?? 'machine',
      url: target?.url ?? targetId,
      layer: target?.layer ?? 'L0',
      points,
    });
  }
  result.sort((a, b) => a.layer.localeCompare(b.layer) || a.targetId.localeCompare(b.targetId));

  return {
    since: iso(from),
    until: iso(to),
    timeZone,
    stepMs,
    series: result,
    heatmap: {
      dates: localDates(from, to, timeZone),
      cells: [...cells.values()].sort((a, b) => a.date.localeCompare(b.date) || a.hour - b.hour),
    },
  };
}

/** Every local date touched by [from, to), oldest first. */
function localDates(from: number, to: number, timeZone: string): string[] {
  const dates: string[] = [];
  // Hourly steps: a local day is never shorter than 23 hours, so none is skipped.
  for (let at = from; at < to + HOUR; at += HOUR) {
    const date = localTime(Math.min(at, to - 1), timeZone).date;
    if (dates.at(-1) !== date) dates.push(date);
  }
  return dates;
}
