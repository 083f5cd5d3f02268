import { attemptRan, type AttemptReport, type TargetReport, type TargetStatus } from '../../contract';
import type { ResolvedTarget } from '../probes/types';
import { isHairpinOnly } from '../evidence/layers';

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(Math.max(rank, 0), sorted.length - 1)] as number;
}

/**
 * up: every job on the target succeeded first time; degraded: succeeded only after retries, or some
 * jobs failed; down: nothing succeeded; untested: no attempt ran (or all were cancelled).
 * A reflexive-only session needs NAT hairpinning: its failure says nothing about the server, so it
 * does not count (the network lab's healthy network showed every STUN server "degraded").
 */
export function targetStatus(attempts: readonly AttemptReport[], kind?: string): TargetStatus {
  const ran = attempts.filter((a) => attemptRan(a) && !isHairpinOnly(a, kind));
  if (ran.length === 0) return 'untested';
  const byJob = new Map<string, AttemptReport[]>();
  for (const attempt of ran)
    byJob.set(attempt.correlationId, [...(byJob.get(attempt.correlationId) ?? []), attempt]);
  const jobs = [...byJob.values()];
  const succeeded = jobs.filter((job) => job.some((a) => a.outcome === 'success'));
  if (succeeded.length === 0) return 'down';
  const clean = succeeded.length === jobs.length && succeeded.every((job) => job.length === 1);
  return clean ? 'up' : 'degraded';
}

export function targetReports(
  targets: readonly ResolvedTarget[],
  attempts: readonly AttemptReport[],
): TargetReport[] {
  return targets.map((target) => {
    const mine = attempts.filter((a) => a.targetId === target.id);
    const rtts = mine
      .filter((a) => a.outcome === 'success' && typeof a.metrics.rttMs === 'number')
      .map((a) => a.metrics.rttMs as number)
      .sort((a, b) => a - b);
    return {
      id: target.id,
      kind: target.kind,
      layer: target.layer,
      url: target.url,
      status: targetStatus(mine, target.kind),
      rttMs: rtts.length ? { p50: percentile(rtts, 50), p95: percentile(rtts, 95) } : null,
    };
  });
}
