/**
 * One partner attempt: the attempt core's lifecycle, ledger scope, safety net and classification
 * (runner/attempt-core.ts, as the runner's attempts), with the correlation id both testers share, and no
 * retry of its own: a session runs in lockstep with the other side, so only the two sides together
 * could retry it (retries happen at the rendezvous, where one side acts alone).
 */
import type { AttemptReport, EmitFn, Timeouts, TriageEvent } from '../../contract';
import type { LookupFn } from '../probes/lookup';
import type { ProbeContext, ProbeSuccess } from '../probes/types';
import { runAttemptCore } from '../runner/attempt-core';
import { AttemptState } from '../runner/attempt-state';
import type { AttemptLedger, LedgerScope } from '../ledger/ledger';
import { timeOrderedId } from '../store/ids';

export interface PartnerAttemptOptions {
  runId: string;
  correlationId: string;
  probe: string;
  targetId: string;
  targetUrl: string;
  timeouts: Timeouts;
  lookup: LookupFn;
  ledger: AttemptLedger;
  signal: AbortSignal;
  deadlineMs: number;
  onEvent: (event: TriageEvent) => void;
  /**
   * Where the attempt's resources go. Default: a scope released when the attempt ends. A rendezvous
   * passes the session's scope, because the signaling connection it opens outlives it.
   */
  resources?: LedgerScope;
}

export interface PartnerAttemptOutcome {
  /** null when the body threw ProbeNotApplicable (nothing was tested: no attempt is recorded). */
  report: AttemptReport | null;
  events: TriageEvent[];
  /** `attempt.finished`, not yet announced: the caller announces it after storing the attempt. */
  finished: TriageEvent | null;
  /** The error the body threw, for callers that act on its type (e.g. a rejected code). */
  error: unknown;
}

export async function runPartnerAttempt(
  options: PartnerAttemptOptions,
  body: (ctx: ProbeContext) => Promise<ProbeSuccess>,
): Promise<PartnerAttemptOutcome> {
  const id = timeOrderedId();
  const events: TriageEvent[] = [];
  let finished: TriageEvent | null = null;
  const emit: EmitFn = (name, data) => {
    const event: TriageEvent = {
      name,
      at: new Date().toISOString(),
      runId: options.runId,
      attemptId: id,
      correlationId: options.correlationId,
      targetId: options.targetId,
      ...(data ? { data } : {}),
    };
    events.push(event);
    // the finished event is announced by the caller once the attempt is stored
    if (name === 'attempt.finished') finished = event;
    else options.onEvent(event);
  };
  const startedAt = new Date();
  const started = performance.now();
  emit('attempt.started', { probe: options.probe, attempt: 1, targetUrl: options.targetUrl });
  const ended = await runAttemptCore(
    {
      ledger: options.ledger,
      signal: options.signal,
      deadlineMs: options.deadlineMs,
      what: `the ${options.probe}`,
      log: (line) => emit('attempt.state', { transition: line }),
      onCancel: 'as-thrown',
      ...(options.resources ? { resources: options.resources } : {}),
    },
    (scope) =>
      body({
        signal: scope.signal,
        resources: scope.resources,
        timeouts: options.timeouts,
        correlationId: options.correlationId,
        attempt: 1,
        lookup: options.lookup,
        targets: [],
        emit,
        stage: scope.stage,
      }),
  );
  if (ended.state === AttemptState.Skipped) {
    emit('attempt.skipped', { reason: ended.reason });
    return { report: null, events, finished: null, error: ended.error };
  }
  const { outcome, stage, metrics, failure } = ended;
  const report: AttemptReport = {
    id,
    correlationId: options.correlationId,
    probe: options.probe,
    targetId: options.targetId,
    attempt: 1,
    outcome,
    stage,
    errorClass: failure?.errorClass ?? null,
    errorMessage: failure?.message ?? null,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round((performance.now() - started) * 100) / 100,
    metrics,
  };
  emit('attempt.finished', {
    probe: options.probe,
    attempt: 1,
    outcome,
    errorClass: report.errorClass,
    durationMs: report.durationMs,
    ...(typeof metrics.path === 'string' ? { path: metrics.path } : {}),
  });
  return { report, events, finished, error: ended.outcome === 'success' ? null : ended.error };
}
