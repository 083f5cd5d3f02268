import { attemptRan, type AttemptReport, type TargetReport } from '../../contract';
import type { ResolvedTarget } from '../probes/types';
import type { PlannedJob } from './schedule';

/**
 * A server that only timed out, on a network that loses packets, is not yet shown to be down: with
 * 30 % loss a short job (one STUN Binding over TCP, three attempts) fails every attempt now and then
 * while the server is fine, and the verdict would name an outage that is not there (the network lab's
 * loss-30 scenario did so in a CI run). So before such a server is called down, its jobs run
 * once more, after every other job: a second look. A server that answers it is degraded, one that
 * does not is down with twice the evidence. A network without loss never gets a second look: a
 * blocked server there is down after its first round, as soon as the evidence decides it.
 */

/**
 * The sign of loss: a job on another server that timed out and then succeeded on a retry. A job
 * that never succeeds is no sign (it may be the NAT, the hairpin, a blocked port).
 */
export function lossSeenBesides(attempts: readonly AttemptReport[], targetId: string): boolean {
  const jobs = new Map<string, AttemptReport[]>();
  for (const attempt of attempts) {
    if (attempt.targetId === targetId) continue;
    jobs.set(attempt.correlationId, [...(jobs.get(attempt.correlationId) ?? []), attempt]);
  }
  return [...jobs.values()].some(
    (job) => job.some((a) => a.outcome === 'success') && job.some((a) => a.outcome === 'timeout'),
  );
}

/** The targets that get a second look: down, every attempt that ran a timeout, with loss seen elsewhere. */
export function secondLookTargets(
  summaries: readonly TargetReport[],
  attempts: readonly AttemptReport[],
): string[] {
  return summaries
    .filter((summary) => summary.status === 'down')
    .filter((summary) => {
      const ran = attempts.filter((a) => a.targetId === summary.id && attemptRan(a));
      return ran.length > 0 && ran.every((a) => a.outcome === 'timeout');
    })
    .filter((summary) => lossSeenBesides(attempts, summary.id))
    .map((summary) => summary.id);
}

/**
 * The plan's jobs for these targets again, as new jobs with their prerequisites among themselves,
 * in the plan's order.
 */
export function secondLookPlan(
  plan: readonly PlannedJob[],
  targets: readonly ResolvedTarget[],
): PlannedJob[] {
  const again = new Map<PlannedJob, PlannedJob>();
  for (const job of plan) {
    if (targets.includes(job.target)) again.set(job, { target: job.target, probe: job.probe });
  }
  for (const [old, copy] of again) {
    const after = old.after && again.get(old.after);
    if (after) copy.after = after;
  }
  return [...again.values()];
}
