import type { Timeouts } from '../../contract';
import { probesForTarget } from '../probes/registry';
import type { Probe, ResolvedTarget } from '../probes/types';

export interface PlannedJob {
  target: ResolvedTarget;
  probe: Probe;
  /** The job on the same target this one needs (`probe.needs`); it starts once that one succeeded. */
  after?: PlannedJob;
}

/**
 * The probe plan: every probe against every target it applies to, each linked to the job it needs,
 * in the order jobs start. Longest chain first: a diagnosis lasts at least as long as its slowest
 * chain (a quick STUN Binding, then the ICE gathering and sessions through that server), and with more
 * jobs than `concurrency` slots a long chain queued behind quick jobs ends last. So the WebRTC
 * sessions, and the quick probes they wait for, take the slots first. Among jobs with the same chain,
 * the one with the longer expected time, then the longer deadline, starts first.
 */
export function planJobs(targets: readonly ResolvedTarget[], timeouts: Timeouts): PlannedJob[] {
  const jobs: PlannedJob[] = targets.flatMap((target) =>
    probesForTarget(target).map((probe) => ({ target, probe })),
  );
  for (const job of jobs) {
    const needed = job.probe.needs?.(job.target);
    if (needed === undefined) continue;
    // a prerequisite that does not apply to this target (e.g. none over TCP) is no prerequisite
    const prerequisite = jobs.find((j) => j.target === job.target && j.probe.name === needed);
    if (prerequisite && prerequisite !== job) job.after = prerequisite;
  }
  const chain = new Map<PlannedJob, number>();
  for (const job of jobs) {
    // a job's chain: the longest expected time among itself and the jobs that wait for it
    const own = job.probe.expectedMs ?? 0;
    chain.set(job, Math.max(chain.get(job) ?? 0, own));
    for (let p = job.after; p; p = p.after) chain.set(p, Math.max(chain.get(p) ?? 0, own));
  }
  return jobs.sort(
    (a, b) =>
      (chain.get(b) ?? 0) - (chain.get(a) ?? 0) ||
      (b.probe.expectedMs ?? 0) - (a.probe.expectedMs ?? 0) ||
      b.probe.deadlineMs(timeouts) - a.probe.deadlineMs(timeouts),
  );
}
