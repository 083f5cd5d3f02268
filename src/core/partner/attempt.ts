/**
 * One partner attempt: the same lifecycle, ledger scope, safety net and classification as the
 * runner's attempts (runner/attempt.ts), but with the correlation id both testers share, and no
 * retry of its own: a session runs in lockstep with the other side, so only the two sides together
 * could retry it (retries happen at the rendezvous, where one side acts alone).
 */
import type { AttemptReport, Outcome, Timeouts, EmitFn, TriageEvent } from '../../contract';
import { classifyError } from '../probes/classify';
import type { LookupFn } from '../probes/resolve';
import { ProbeFailure, ProbeNotApplicable, type ProbeContext, type ProbeSuccess } from '../probes/types';
import { AttemptState, transition } from '../runner/attempt-state';
import type { AttemptLedger, LedgerScope } from '../runner/ledger';
import { timeOrderedId } from '../store/ids';

const SAFETY_MARGIN_MS = 1000;

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
  const holder = { state: AttemptState.Pending };
  const log = (line: string) => emit('attempt.state', { transition: line });
  let stage = 'start';
  const startedAt = new Date();
  const started = performance.now();
  const controller = new AbortController();
  const own = options.ledger.scope();
  const onOuterAbort = () => controller.abort();
  options.signal.addEventListener('abort', onOuterAbort, { once: true });
  if (options.signal.aborted) controller.abort();
  emit('attempt.started', { probe: options.probe, attempt: 1, targetUrl: options.targetUrl });
  transition(holder, AttemptState.Running, log);

  const netMs = options.deadlineMs + SAFETY_MARGIN_MS;
  let safetyFired = false;
  let outcome: Outcome;
  let failure: ProbeFailure | null = null;
  let metrics: AttemptReport['metrics'];
  let caught: unknown = null;
  try {
    const result = await Promise.race([
      body({
        signal: controller.signal,
        resources: options.resources ?? own,
        timeouts: options.timeouts,
        correlationId: options.correlationId,
        attempt: 1,
        lookup: options.lookup,
        targets: [],
        emit,
        stage: (name) => {
          stage = name;
        },
      }),
      new Promise<never>((_, reject) =>
        own.timeout('partner attempt safety net', netMs, () => {
          safetyFired = true;
          controller.abort();
          reject(
            new ProbeFailure('timeout', stage, `the ${options.probe} did not finish within ${netMs} ms`),
          );
        }),
      ),
    ]);
    metrics = result.metrics;
    stage = result.stage;
    outcome = 'success';
    transition(holder, AttemptState.Succeeded, log);
  } catch (error) {
    caught = error;
    if (error instanceof ProbeNotApplicable) {
      transition(holder, AttemptState.Skipped, log);
      emit('attempt.skipped', { reason: error.reason });
      return { report: null, events, finished: null, error };
    }
    failure =
      controller.signal.aborted && !safetyFired && !(error instanceof ProbeFailure)
        ? new ProbeFailure('aborted', stage, 'cancelled')
        : classifyError(error, stage);
    metrics = failure.metrics;
    stage = failure.stage;
    outcome =
      failure.errorClass === 'timeout' ? 'timeout' : failure.errorClass === 'aborted' ? 'aborted' : 'error';
    transition(
      holder,
      outcome === 'timeout'
        ? AttemptState.TimedOut
        : outcome === 'aborted'
          ? AttemptState.Aborted
          : AttemptState.Failed,
      log,
    );
  } finally {
    own.releaseAll();
    options.signal.removeEventListener('abort', onOuterAbort);
  }
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
  return { report, events, finished, error: caught };
}
