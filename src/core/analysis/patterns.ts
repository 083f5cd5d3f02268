import type { Evidence, HistoryTarget, Layer, Pattern } from '../../contract';
import { BUCKET_MS, type BucketColumns, type HistoryQueries, type StoredTarget } from '../store/queries';
import { LOCAL_LAYERS } from '../evidence/layers';
import { systemTimeZone } from './local-time';
import { recurringWindows } from './recurring-windows';
import type { Outage } from './outage';
import { THRESHOLDS } from './thresholds';
import { flips, windowEpisodes, type Episode, type Series } from './windows';

export { THRESHOLDS };

export interface AnalysisOptions {
  from: number;
  to: number;
  /** IANA time zone for time-of-day windows (default: the system's). */
  timeZone?: string;
}

export interface Analysis {
  timeZone: string;
  attempts: number;
  failures: number;
  targets: HistoryTarget[];
  patterns: Pattern[];
  outages: Outage[];
  recurring: Pattern[];
}

const iso = (ms: number) => new Date(ms).toISOString();
const pct = (rate: number) => `${Math.round(rate * 100)}%`;

interface Built {
  series: Series[];
  origin: number;
  stored: Map<string, StoredTarget>;
}

function buildSeries(
  columns: readonly BucketColumns[],
  targets: StoredTarget[],
  from: number,
  to: number,
): Built {
  const origin = Math.floor(from / BUCKET_MS) * BUCKET_MS;
  const first = origin / BUCKET_MS;
  const n = Math.max(1, Math.ceil((to - origin) / BUCKET_MS));
  const stored = new Map(targets.map((t) => [t.id, t]));
  const series = new Map<string, Series>();
  const get = (scope: string) => {
    let s = series.get(scope);
    if (!s) {
      s = {
        scope,
        targetIds: [],
        attempts: new Float64Array(n),
        failures: new Float64Array(n),
        timeouts: new Float64Array(n),
        noRoute: new Float64Array(n),
      };
      series.set(scope, s);
    }
    return s;
  };
  for (const column of columns) {
    const local = LOCAL_LAYERS.has(column.layer);
    const kind = stored.get(column.targetId)?.kind ?? 'unknown';
    const scopes = [`target:${column.targetId}`];
    if (local) scopes.push('local');
    else scopes.push('everything', column.layer === 'L4' ? 'cross-network-path' : `kind:${kind}`);
    for (const scope of scopes) {
      const s = get(scope);
      if (!s.targetIds.includes(column.targetId)) s.targetIds.push(column.targetId);
      for (let k = 0; k < column.buckets.length; k++) {
        const i = (column.buckets[k] as number) - first;
        if (i < 0 || i >= n) continue;
        s.attempts[i] = (s.attempts[i] as number) + (column.attempts[k] as number);
        s.failures[i] = (s.failures[i] as number) + (column.failures[k] as number);
        s.timeouts[i] = (s.timeouts[i] as number) + (column.timeouts[k] as number);
        s.noRoute[i] = (s.noRoute[i] as number) + (column.noRoute[k] as number);
      }
    }
  }
  return { series: [...series.values()], origin, stored };
}

const overlaps = (a: Episode, b: Episode) => a.first <= b.last && b.first <= a.last;

/** A narrower scope's episode is left out when a wider scope saw the same episode. */
function wider(scope: string, built: Built): string[] {
  if (scope.startsWith('target:')) {
    const target = built.stored.get(scope.slice(7));
    if (!target || LOCAL_LAYERS.has(target.layer)) return ['local'];
    return [`kind:${target.kind}`, 'cross-network-path', 'everything'];
  }
  if (scope.startsWith('kind:') || scope === 'cross-network-path') return ['everything'];
  return [];
}

/**
 * Every pattern of the history in [from, to): failure rates over sliding windows (per target, per
 * kind, overall), outages with start, end and recovery time, current consecutive failures,
 * recurring time-of-day windows and flapping. Reads the 5-minute buckets and a few index look-ups,
 * never the attempts themselves in bulk.
 */
export function analyzeHistory(queries: HistoryQueries, options: AnalysisOptions): Analysis {
  const timeZone = options.timeZone ?? systemTimeZone();
  const { from, to } = options;
  const columns = queries.bucketsBetween(from, to);
  const built = buildSeries(columns, queries.targets(), from, to);
  const at = (index: number) => built.origin + index * BUCKET_MS;
  const patterns: Pattern[] = [];

  const found = new Map<string, { outage: Episode[]; alert: Episode[] }>();
  for (const s of built.series) {
    const o = THRESHOLDS.outage;
    const a = THRESHOLDS.alert;
    const outage = windowEpisodes(s, o.windowMs / BUCKET_MS, o.minRate, o.minAttempts);
    const alert = windowEpisodes(s, a.windowMs / BUCKET_MS, a.minRate, a.minAttempts).filter(
      (e) => !outage.some((x) => overlaps(x, e)),
    );
    found.set(s.scope, { outage, alert });
  }
  const shown = (scope: string, level: 'outage' | 'alert', episode: Episode) =>
    !wider(scope, built).some((w) => found.get(w)?.[level].some((e) => overlaps(e, episode)));

  const outages: Outage[] = [];
  for (const s of built.series) {
    const levels = found.get(s.scope);
    if (!levels) continue;
    for (const level of ['outage', 'alert'] as const) {
      for (const episode of levels[level].filter((e) => shown(s.scope, level, e))) {
        const rate = episode.failures / episode.attempts;
        const timeouts = episode.timeouts === episode.failures ? ', all timeouts' : '';
        patterns.push({
          kind: 'failure-rate',
          scope: s.scope,
          level: level === 'outage' ? 'likely-outage' : 'alert',
          summary: `${level === 'outage' ? 'Likely outage' : 'Alert'}: ${pct(rate)} of ${episode.attempts} attempts failed (${s.scope}${timeouts}) from ${iso(at(episode.first))} to ${iso(at(episode.last + 1))}`,
          from: iso(at(episode.first)),
          to: iso(at(episode.last + 1)),
          failureRate: rate,
          attempts: episode.attempts,
          failures: episode.failures,
          evidence: [],
        });
        if (level === 'outage') outages.push(outageOf(queries, s, episode, built, at, to));
      }
    }
  }
  for (const outage of outages) patterns.push(outagePattern(outage));
  patterns.push(...consecutiveFailures(queries, built, from, to));
  const recurring = recurringWindows(outages, timeZone);
  patterns.push(...recurring);
  patterns.push(...flapping(built, at));

  const total = (values: number[]) => values.reduce((a, b) => a + b, 0);
  let attempts = 0;
  let failures = 0;
  const perTarget = new Map<string, HistoryTarget>();
  for (const column of columns) {
    const a = total(column.attempts);
    const f = total(column.failures);
    if (!LOCAL_LAYERS.has(column.layer)) {
      attempts += a;
      failures += f;
    }
    const target = built.stored.get(column.targetId);
    const t = perTarget.get(column.targetId) ?? {
      id: column.targetId,
      kind: target?.kind ?? 'unknown',
      layer: (target?.layer ?? column.layer) as Layer,
      attempts: 0,
      failures: 0,
      failureRate: 0,
    };
    t.attempts += a;
    t.failures += f;
    t.failureRate = t.attempts ? t.failures / t.attempts : 0;
    perTarget.set(column.targetId, t);
  }
  const targets = [...perTarget.values()].sort((a, b) => a.id.localeCompare(b.id));
  return { timeZone, attempts, failures, targets, patterns, outages, recurring };
}

function outageOf(
  queries: HistoryQueries,
  s: Series,
  episode: Episode,
  built: Built,
  at: (i: number) => number,
  until: number,
): Outage {
  const from = at(episode.first);
  const to = at(episode.last + 1);
  let start = Number.POSITIVE_INFINITY;
  const firstBack: Array<number | null> = [];
  for (const id of s.targetIds) {
    const first = queries.edge('firstFailure', id, from, to);
    if (first !== null) start = Math.min(start, first);
    const lastFailure = queries.edge('lastFailure', id, from, to);
    if (lastFailure === null) continue;
    firstBack.push(queries.edge('firstSuccess', id, lastFailure, until));
  }
  const back = firstBack.filter((t): t is number => t !== null);
  const end = back.length ? Math.min(...back) : null;
  const recoveredAt = back.length && back.length === firstBack.length ? Math.max(...back) : null;
  const over = (scope: string) => {
    const other = built.series.find((x) => x.scope === scope);
    let attempts = 0;
    let failures = 0;
    for (let i = episode.first; other && i <= episode.last; i++) {
      attempts += other.attempts[i] as number;
      failures += other.failures[i] as number;
    }
    return { attempts, failures };
  };
  const servers = { attempts: 0, failures: 0 };
  for (const x of built.series.filter((x) => x.scope.startsWith('kind:'))) {
    for (let i = episode.first; i <= episode.last; i++) {
      servers.attempts += x.attempts[i] as number;
      servers.failures += x.failures[i] as number;
    }
  }
  return {
    scope: s.scope,
    targetIds: s.targetIds,
    start: Number.isFinite(start) ? start : from,
    end,
    recoveredAt,
    attempts: episode.attempts,
    failures: episode.failures,
    timeouts: episode.timeouts,
    noRoute: episode.noRoute,
    local: over('local'),
    servers,
  };
}

function outagePattern(outage: Outage): Pattern {
  const ongoing = outage.end === null;
  const recoveryMs =
    outage.end !== null && outage.recoveredAt !== null ? outage.recoveredAt - outage.end : undefined;
  const recovery =
    recoveryMs === undefined
      ? ''
      : `; recovery ${Math.round(recoveryMs / 1000)} s (goal < ${THRESHOLDS.recoveryGoalMs / 1000} s: ${recoveryMs < THRESHOLDS.recoveryGoalMs ? 'met' : 'missed'})`;
  const evidence: Evidence[] = [
    { summary: `first failure at ${iso(outage.start)}` },
    ...(outage.end !== null ? [{ summary: `first success after it at ${iso(outage.end)}` }] : []),
    {
      summary: `${outage.failures} of ${outage.attempts} attempts failed${outage.timeouts === outage.failures ? ' (all timeouts)' : ` (${outage.timeouts} timeouts)`}; local tests: ${outage.local.attempts ? `${outage.local.attempts - outage.local.failures} of ${outage.local.attempts} passed` : 'none ran'}`,
    },
  ];
  return {
    kind: 'outage',
    scope: outage.scope,
    summary: `Outage (${outage.scope}) from ${iso(outage.start)} ${ongoing ? 'still going on' : `to ${iso(outage.end as number)}`}${recovery}`,
    from: iso(outage.start),
    ...(outage.end !== null ? { to: iso(outage.end) } : {}),
    ...(recoveryMs !== undefined ? { recoveryMs } : {}),
    failureRate: outage.failures / outage.attempts,
    attempts: outage.attempts,
    failures: outage.failures,
    evidence,
  };
}

function consecutiveFailures(queries: HistoryQueries, built: Built, from: number, to: number): Pattern[] {
  const patterns: Pattern[] = [];
  for (const s of built.series.filter((x) => x.scope.startsWith('target:'))) {
    const id = s.scope.slice(7);
    // Most targets end on a success: look at a few attempts first, the long tail only for a streak.
    let recent = queries.recentAttempts(id, from, to, 8);
    if (recent.length === 8 && recent.every((a) => a.outcome !== 'success'))
      recent = queries.recentAttempts(id, from, to, 500);
    let streak = 0;
    while (streak < recent.length && recent[streak]?.outcome !== 'success') streak++;
    if (streak < THRESHOLDS.consecutiveFailures) continue;
    const newest = recent[0];
    const oldest = recent[streak - 1];
    if (!newest || !oldest) continue;
    patterns.push({
      kind: 'consecutive-failures',
      scope: s.scope,
      summary: `${streak}${streak === recent.length ? '+' : ''} consecutive failures on ${id} since ${iso(oldest.startedAt)} (last: ${newest.errorClass ?? newest.outcome})`,
      from: iso(oldest.startedAt),
      count: streak,
      evidence: [
        {
          attemptId: oldest.id,
          targetId: id,
          summary: `first of the streak, ${oldest.errorClass ?? oldest.outcome}`,
        },
        { attemptId: newest.id, targetId: id, summary: `newest, ${newest.errorClass ?? newest.outcome}` },
      ],
    });
  }
  return patterns;
}

function flapping(built: Built, at: (i: number) => number): Pattern[] {
  const { minFlips, maxGapMs, minBucketAttempts } = THRESHOLDS.flapping;
  return built.series
    .filter((s) => s.scope.startsWith('target:'))
    .flatMap((s) =>
      flips(s, maxGapMs / BUCKET_MS, minFlips, minBucketAttempts).map((run) => ({
        kind: 'flapping',
        scope: s.scope,
        summary: `${s.scope.slice(7)} went up and down ${run.count} times between ${iso(at(run.first))} and ${iso(at(run.last + 1))}`,
        from: iso(at(run.first)),
        to: iso(at(run.last + 1)),
        count: run.count,
        evidence: [],
      })),
    );
}
