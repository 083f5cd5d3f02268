import { randomUUID } from 'node:crypto';
import type { AttemptReport, Outcome, Timeouts, EmitFn, EventName, TriageEvent } from '../../contract';
import { classifyError } from '../probes/classify';
import type { LookupFn } from '../probes/resolve';
import { ProbeFailure, ProbeNotApplicable, type Probe, type ResolvedTarget } from '../probes/types';
import { AttemptState, transition } from './attempt-state';
import { chaosFault, injectsFault, type Chaos } from './chaos';
import type { AttemptLedger } from './ledger';
import { isFinalCause, type RetryPolicy } from './retry';
import { timeOrderedId } from '../store/ids';

/** Margin the runner's safety net adds to a probe's own deadline before it aborts the probe itself. */
const SAFETY_MARGIN_MS = 1000;

export interface JobOptions {
  runId: string;
  probe: Probe;
  target: ResolvedTarget;
  /** Every target of the diagnosis, for probes that combine them. */
  targets: ReadonlyArray<ResolvedTarget>;
  /** PEM of the config's `tls.caFile`, trusted for TLS servers besides the system store. */
  tlsCa?: string | null;
  timeouts: Timeouts;
  retry: RetryPolicy;
  /** `flags.chaos`: injected faults for drills (null: none). */
  chaos?: Chaos | null;
  ledger: AttemptLedger;
  lookup: LookupFn;
  signal: AbortSignal;
  /** Every structured event, as it happens. */
  onEvent: (event: TriageEvent) => void;
  /** Each attempt when it ends, with the events it emitted. */
  /** Stores the attempt; `false` when it could not be stored (the attempt is then not announced). */
  onAttempt: (attempt: AttemptReport, events: TriageEvent[]) => boolean | void;
}

/**
 * Runs one probe against one target: attempts until one succeeds, the retry policy gives up, or the
 * run is cancelled. All attempts of a job share a correlation id.
 */
export async function runJob(options: JobOptions): Promise<AttemptReport[]> {
  const correlationId = randomUUID();
  const attempts: AttemptReport[] = [];
  for (let number = 1; ; number++) {
    const attempt = await runAttempt(options, correlationId, number);
    if (!attempt) return attempts;
    attempts.push(attempt);
    if (attempt.outcome === 'success' || options.signal.aborted || isFinalCause(attempt)) return attempts;
    if (options.probe.once) return attempts;
    const delay = options.retry.nextDelayMs(number, attempt.errorClass ?? 'internal');
    if (delay === null) return attempts;
    options.onEvent(
      event(options, correlationId, 'attempt.retry', {
        probe: options.probe.name,
        kind: options.target.kind,
        after: number,
        delayMs: delay,
      }),
    );
    if (!(await abortableSleep(delay, options))) return attempts;
  }
}

/**
 * The attempt a job records instead of running, because the job it needs on the same server failed:
 * `skipped`, its stage naming the prerequisite and what it hit, no evidence of its own.
 */
export function skippedAttempt(options: JobOptions, prerequisite: AttemptReport): AttemptReport {
  const correlationId = randomUUID();
  const id = timeOrderedId();
  const events: TriageEvent[] = [];
  const cause = prerequisite.errorClass ?? prerequisite.outcome;
  const stage = `needs ${prerequisite.probe} (${cause})`;
  const tries = prerequisite.attempt === 1 ? '' : ` after ${prerequisite.attempt} attempts`;
  const report: AttemptReport = {
    id,
    correlationId,
    probe: options.probe.name,
    targetId: options.target.id,
    attempt: 1,
    outcome: 'skipped',
    stage,
    errorClass: null,
    errorMessage: `not run: ${prerequisite.probe} on this server failed${tries} (${cause} at ${prerequisite.stage}${prerequisite.errorMessage ? `: ${prerequisite.errorMessage}` : ''})`,
    startedAt: new Date().toISOString(),
    durationMs: 0,
    metrics: {},
  };
  const emit: EmitFn = (name, data) => {
    const e = event(options, correlationId, name, data, id);
    events.push(e);
    options.onEvent(e);
  };
  emit('attempt.skipped', {
    probe: options.probe.name,
    reason: report.errorMessage,
    needs: prerequisite.probe,
  });
  finish(
    options,
    report,
    events,
    event(
      options,
      correlationId,
      'attempt.finished',
      {
        probe: options.probe.name,
        kind: options.target.kind,
        attempt: 1,
        outcome: 'skipped',
        errorClass: null,
        stage,
        durationMs: 0,
        cleanupMs: 0,
      },
      id,
    ),
  );
  return report;
}

/**
 * The attempt is stored first and announced after: a progress line that says "ok" (or a UI row) is
 * only ever shown for an attempt the history holds. A store that refuses the write (full disk)
 * answers false, and nothing claims the attempt was recorded.
 */
function finish(
  options: JobOptions,
  report: AttemptReport,
  events: TriageEvent[],
  finished: TriageEvent,
): void {
  events.push(finished);
  if (options.onAttempt(report, events) === false) return;
  options.onEvent(finished);
}

function event(
  options: JobOptions,
  correlationId: string,
  name: EventName,
  data?: Record<string, unknown>,
  attemptId?: string,
): TriageEvent {
  return {
    name,
    at: new Date().toISOString(),
    runId: options.runId,
    correlationId,
    targetId: options.target.id,
    ...(attemptId ? { attemptId } : {}),
    ...(data ? { data } : {}),
  };
}

async function runAttempt(
  options: JobOptions,
  correlationId: string,
  number: number,
): Promise<AttemptReport | null> {
  const { probe, target, ledger } = options;
  const id = timeOrderedId();
  const events: TriageEvent[] = [];
  const emit: EmitFn = (name, data) => {
    const e = event(options, correlationId, name, data, id);
    events.push(e);
    options.onEvent(e);
  };
  const holder = { state: AttemptState.Pending };
  const log = (line: string) => emit('attempt.state', { transition: line });
  let stage = 'start';
  const startedAt = new Date();
  const started = performance.now();

  const controller = new AbortController();
  const scope = ledger.scope();
  const onRunAbort = () => controller.abort(options.signal.reason);
  options.signal.addEventListener('abort', onRunAbort, { once: true });
  if (options.signal.aborted) controller.abort(options.signal.reason);

  emit('attempt.started', { probe: probe.name, kind: target.kind, attempt: number, targetUrl: target.url });
  const injected = injectsFault(options.chaos, target);
  if (injected) emit('chaos.fault.injected', { probe: probe.name });
  transition(holder, AttemptState.Running, log);

  let outcome: Outcome;
  let failure: ProbeFailure | null = null;
  let skipped: string | null = null;
  let metrics: Record<string, string | number | boolean | null>;
  // The safety net: a probe that ignores its own deadline is aborted and classed as a timeout.
  const netMs = probe.deadlineMs(options.timeouts) + SAFETY_MARGIN_MS;
  const safetyNet = ledger.scope();
  let safetyFired = false;
  let cleanupMs: number;
  try {
    const context = {
      signal: controller.signal,
      resources: scope,
      timeouts: options.timeouts,
      correlationId,
      attempt: number,
      lookup: options.lookup,
      tlsCa: options.tlsCa ?? null,
      targets: options.targets,
      emit,
      stage: (name: string) => {
        stage = name;
      },
    };
    const result = await Promise.race([
      injected ? Promise.reject(chaosFault()) : probe.run(target, context),
      new Promise<never>((_, reject) =>
        safetyNet.timeout('attempt safety net', netMs, () => {
          safetyFired = true;
          controller.abort();
          reject(new ProbeFailure('timeout', stage, `the probe did not finish within ${netMs} ms`));
        }),
      ),
    ]);
    metrics = result.metrics;
    stage = result.stage;
    outcome = 'success';
    transition(holder, AttemptState.Succeeded, log);
  } catch (error) {
    if (error instanceof ProbeNotApplicable && !controller.signal.aborted) {
      skipped = error.reason;
      transition(holder, AttemptState.Skipped, log);
      return null;
    }
    failure =
      controller.signal.aborted && !safetyFired ? abortedFailure(error, stage) : classifyError(error, stage);
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
    safetyNet.releaseAll();
    const cleanupStarted = performance.now();
    scope.releaseAll();
    cleanupMs = Math.round((performance.now() - cleanupStarted) * 1000) / 1000;
    options.signal.removeEventListener('abort', onRunAbort);
    if (skipped !== null) emit('attempt.skipped', { reason: skipped });
  }

  const report: AttemptReport = {
    id,
    correlationId,
    probe: probe.name,
    targetId: target.id,
    attempt: number,
    outcome,
    stage,
    errorClass: failure?.errorClass ?? null,
    errorMessage: failure?.message ?? null,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round((performance.now() - started) * 100) / 100,
    metrics,
  };
  finish(
    options,
    report,
    events,
    event(
      options,
      correlationId,
      'attempt.finished',
      {
        probe: probe.name,
        kind: target.kind,
        attempt: number,
        outcome,
        errorClass: report.errorClass,
        durationMs: report.durationMs,
        // how long releasing the attempt's resources took (telemetry: gun_signal_cleanup_duration_seconds)
        cleanupMs,
        ...(typeof metrics.rttMs === 'number' ? { rttMs: metrics.rttMs } : {}),
        ...(typeof metrics.path === 'string' ? { path: metrics.path } : {}),
      },
      id,
    ),
  );
  return report;
}

function abortedFailure(error: unknown, stage: string): ProbeFailure {
  if (error instanceof ProbeFailure && error.errorClass === 'aborted') return error;
  return new ProbeFailure('aborted', stage, 'cancelled');
}

/** Waits `ms` unless the run is cancelled; the timer is on the ledger like any other resource. */
function abortableSleep(ms: number, options: JobOptions): Promise<boolean> {
  return new Promise((resolve) => {
    if (options.signal.aborted) return resolve(false);
    const scope = options.ledger.scope();
    const onAbort = () => {
      scope.releaseAll();
      resolve(false);
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    scope.timeout('retry backoff', ms, () => {
      options.signal.removeEventListener('abort', onAbort);
      resolve(true);
    });
  });
}
