import type { AttemptReport } from '../../contract';
import type { PartnerPath } from '../../contract/partner';
import { ProbeFailure } from '../probes/types';
import type { PlannedPath } from './messages';

/** The budget for one session once started, on either side (the config has no measure timeout). */
export function pathBudgetMs(
  t: { offerMs: number; answerMs: number; iceGatheringMs: number; connectMs: number },
  measureMs: number,
): number {
  return t.offerMs + t.answerMs + t.iceGatheringMs + t.connectMs + measureMs;
}

export function rowFromAttempt(planned: PlannedPath, attempt: AttemptReport): PartnerPath {
  return {
    index: planned.index,
    path: planned.path,
    server: planned.server,
    outcome: attempt.outcome,
    stage: attempt.stage,
    errorClass: attempt.errorClass,
    message: attempt.errorMessage,
    durationMs: attempt.durationMs,
    metrics: { ...attempt.metrics, path: planned.path },
  };
}

export function skippedRow(planned: PlannedPath, reason: string): PartnerPath {
  return {
    index: planned.index,
    path: planned.path,
    server: planned.server,
    outcome: 'skipped',
    stage: 'plan',
    errorClass: null,
    message: reason,
    durationMs: 0,
    metrics: { path: planned.path },
  };
}

export function notRunRow(planned: PlannedPath, why: string): PartnerPath {
  return {
    index: planned.index,
    path: planned.path,
    server: planned.server,
    outcome: 'aborted',
    stage: 'not-started',
    errorClass: 'aborted',
    message: `not run: ${why}`,
    durationMs: 0,
    metrics: { path: planned.path },
  };
}

/** The joiner's attempt ends as the host's row says: same outcome, stage, words and metrics. */
export function settleAsRow(row: PartnerPath): { stage: string; metrics: PartnerPath['metrics'] } {
  if (row.outcome === 'success') return { stage: row.stage, metrics: row.metrics };
  const errorClass =
    row.errorClass ??
    (row.outcome === 'timeout' ? 'timeout' : row.outcome === 'aborted' ? 'aborted' : 'internal');
  throw new ProbeFailure(errorClass, row.stage, row.message ?? 'failed', row.metrics);
}
