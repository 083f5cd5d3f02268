import { randomUUID } from 'node:crypto';
import type { AttemptReport, EmitFn, EventName, Timeouts, TriageEvent } from '../../contract';
import type { LookupFn } from '../probes/lookup';
import type { Probe, ResolvedTarget } from '../probes/types';
import { runAttemptCore } from './attempt-core';
import { AttemptState } from './attempt-state';
import { chaosFault, injectsFault, type Chaos } from './chaos';
import type { AttemptLedger } from '../ledger/ledger';
import { isFinalCause, type RetryPolicy } from './retry';
import { timeOrderedId } from '../store/ids';

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
  const startedAt = new Date();
  const started = performance.now();

  emit('attempt.started', { probe: probe.name, kind: target.kind, attempt: number, targetUrl: target.url });
  const injected = injectsFault(options.chaos, target);
  if (injected) emit('chaos.fault.injected', { probe: probe.name });

  const ended = await runAttemptCore(
    {
      ledger,
      signal: options.signal,
      deadlineMs: probe.deadlineMs(options.timeouts),
      what: 'the probe',
      log: (line) => emit('attempt.state', { transition: line }),
    },
    (scope) =>
      injected
        ? Promise.reject(chaosFault())
        : probe.run(target, {
            signal: scope.signal,
            resources: scope.resources,
            timeouts: options.timeouts,
            correlationId,
            attempt: number,
            lookup: options.lookup,
            tlsCa: options.tlsCa ?? null,
            targets: options.targets,
            emit,
            stage: scope.stage,
          }),
  );
  if (ended.state === AttemptState.Skipped) {
    emit('attempt.skipped', { reason: ended.reason });
    return null;
  }
  const { outcome, stage, metrics, failure } = ended;

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
        cleanupMs: ended.cleanupMs,
        ...(typeof metrics.rttMs === 'number' ? { rttMs: metrics.rttMs } : {}),
        ...(typeof metrics.path === 'string' ? { path: metrics.path } : {}),
      },
      id,
    ),
  );
  return report;
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
