import type { AttemptReport } from '../../contract';
import type { PlannedJob } from './schedule';

/**
 * Runs a probe plan with at most `limit` jobs in flight, in the plan's order. A job with a
 * prerequisite (`after`) waits — without holding a slot — until that job ended: it then runs when the
 * prerequisite succeeded (or was cancelled, so that it records its own cancellation), and is handed to
 * `skip` at once when the prerequisite failed; a skipped job's own dependents are skipped in turn.
 */
export async function runPlan(
  plan: readonly PlannedJob[],
  limit: number,
  run: (job: PlannedJob) => Promise<AttemptReport[]>,
  skip: (job: PlannedJob, prerequisite: AttemptReport) => AttemptReport,
): Promise<void> {
  const order = new Map(plan.map((job, index) => [job, index]));
  const waiting = new Map<PlannedJob, PlannedJob[]>();
  const ready: PlannedJob[] = [];
  for (const job of plan) {
    if (job.after && order.has(job.after)) waiting.set(job.after, [...(waiting.get(job.after) ?? []), job]);
    else ready.push(job);
  }
  let remaining = plan.length;
  let running = 0;
  await new Promise<void>((resolve, reject) => {
    const ended = (job: PlannedJob, attempts: readonly AttemptReport[]) => {
      remaining--;
      const last = attempts.at(-1);
      const blocking = last && !attempts.some((a) => a.outcome === 'success') && last.outcome !== 'aborted';
      for (const dependent of waiting.get(job) ?? []) {
        if (blocking) ended(dependent, [skip(dependent, last)]);
        else ready.splice(insertionIndex(ready, dependent, order), 0, dependent);
      }
    };
    const pump = () => {
      while (running < limit && ready.length > 0) {
        const job = ready.shift() as PlannedJob;
        running++;
        run(job).then((attempts) => {
          running--;
          ended(job, attempts);
          pump();
        }, reject);
      }
      if (remaining === 0) resolve();
    };
    pump();
  });
}

function insertionIndex(
  ready: readonly PlannedJob[],
  job: PlannedJob,
  order: Map<PlannedJob, number>,
): number {
  const rank = order.get(job) ?? 0;
  const index = ready.findIndex((other) => (order.get(other) ?? 0) > rank);
  return index === -1 ? ready.length : index;
}
