/**
 * The attempt lifecycle, written once (issue 20): what every attempt of the engine goes through,
 * whoever runs it — the runner's jobs (`runner/attempt.ts`), the partner test's rendezvous and
 * sessions (`partner/attempt.ts`), and a peer host's jobs (`isolation/host.ts`).
 *
 * - its own abort controller, tied to the caller's signal;
 * - `pending -> running -> succeeded | failed | timed-out | aborted | skipped` (`attempt-state.ts`),
 *   each transition handed to `log` as `from -> to`;
 * - a safety net: a body that outlives its own deadline by SAFETY_MARGIN_MS is aborted and ends as
 *   a timeout at the stage it had reached;
 * - teardown on every path: the attempt's ledger scope (and the safety net's timer) released in
 *   `finally`, timed for telemetry;
 * - classification: what the body threw, as a ProbeFailure (`probes/classify.ts`).
 *
 * The callers build their reports and events from the outcome; none of them repeats any of this.
 */
import type { Outcome } from '../../contract';
import { classifyError } from '../probes/classify';
import { ProbeFailure, ProbeNotApplicable, type Metrics, type ProbeSuccess } from '../probes/types';
import { AttemptState, transition } from './attempt-state';
import type { AttemptLedger, LedgerScope, ResourceKind } from '../ledger/ledger';

/** What the safety net adds to an attempt's own deadline before it aborts the attempt itself. */
export const SAFETY_MARGIN_MS = 1000;

export interface AttemptCoreOptions {
  ledger: AttemptLedger;
  /** The caller's signal (a run, a partner test, the engine asking a host to stop). */
  signal: AbortSignal;
  /** The body's own deadline; the safety net fires SAFETY_MARGIN_MS later. null: no safety net (a peer host's job, whose attempt in the engine has one). */
  deadlineMs: number | null;
  /** What the timeout message calls the body ("the probe", "the partner-session"). */
  what: string;
  /** Each lifecycle transition, as `from -> to`. */
  log?: (line: string) => void;
  /** Where the body's resources go; default: a scope of the attempt, released when it ends. */
  resources?: LedgerScope;
  /**
   * How a body that ends while the attempt is cancelled is read. `cancelled` (the runner): it was
   * cancelled, whatever it threw — unless it was a classified abort, which keeps its words.
   * `as-thrown` (the partner test): its classified failure or "not applicable" stands, because it
   * says who ended it (the partner left, the code was refused); anything else is "cancelled".
   */
  onCancel?: 'cancelled' | 'as-thrown';
}

/** What the body sees: the attempt's signal and resources, and where it reports its stage. */
export interface AttemptScope {
  readonly signal: AbortSignal;
  readonly resources: LedgerScope;
  stage(name: string): void;
}

export type AttemptCoreResult =
  | {
      state: AttemptState.Succeeded;
      outcome: 'success';
      stage: string;
      metrics: Metrics;
      failure: null;
      cleanupMs: number;
    }
  | {
      state: AttemptState.Failed | AttemptState.TimedOut | AttemptState.Aborted;
      outcome: Exclude<Outcome, 'success' | 'skipped'>;
      stage: string;
      metrics: Metrics;
      failure: ProbeFailure;
      /** What the body threw, for callers that act on its type. */
      error: unknown;
      cleanupMs: number;
    }
  | { state: AttemptState.Skipped; reason: string; error: ProbeNotApplicable; cleanupMs: number };

export async function runAttemptCore(
  options: AttemptCoreOptions,
  body: (scope: AttemptScope) => Promise<ProbeSuccess>,
): Promise<AttemptCoreResult> {
  const holder = { state: AttemptState.Pending };
  const log = options.log ?? (() => {});
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(options.signal.reason);
  options.signal.addEventListener('abort', onOuterAbort, { once: true });
  if (options.signal.aborted) controller.abort(options.signal.reason);
  const own = options.ledger.scope();
  const safetyNet = options.ledger.scope();
  let stage = 'start';
  let safetyFired = false;
  const asThrown = options.onCancel === 'as-thrown';
  transition(holder, AttemptState.Running, log);

  let result: AttemptCoreResult;
  let cleanupMs: number;
  try {
    const work = body({
      signal: controller.signal,
      resources: options.resources ?? own,
      stage: (name) => {
        stage = name;
      },
    });
    const netMs = options.deadlineMs === null ? null : options.deadlineMs + SAFETY_MARGIN_MS;
    const success = await (netMs === null
      ? work
      : Promise.race([
          work,
          new Promise<never>((_, reject) =>
            safetyNet.timeout('attempt safety net', netMs, () => {
              safetyFired = true;
              controller.abort();
              reject(new ProbeFailure('timeout', stage, `${options.what} did not finish within ${netMs} ms`));
            }),
          ),
        ]));
    transition(holder, AttemptState.Succeeded, log);
    result = {
      state: AttemptState.Succeeded,
      outcome: 'success',
      stage: success.stage,
      metrics: success.metrics,
      failure: null,
      cleanupMs: 0,
    };
  } catch (error) {
    const cancelled = controller.signal.aborted && !safetyFired;
    if (error instanceof ProbeNotApplicable && (!cancelled || asThrown)) {
      transition(holder, AttemptState.Skipped, log);
      result = { state: AttemptState.Skipped, reason: error.reason, error, cleanupMs: 0 };
    } else {
      const failure = cancelled ? cancelledFailure(error, stage, asThrown) : classifyError(error, stage);
      const outcome =
        failure.errorClass === 'timeout' ? 'timeout' : failure.errorClass === 'aborted' ? 'aborted' : 'error';
      const state =
        outcome === 'timeout'
          ? AttemptState.TimedOut
          : outcome === 'aborted'
            ? AttemptState.Aborted
            : AttemptState.Failed;
      transition(holder, state, log);
      result = {
        state,
        outcome,
        stage: failure.stage,
        metrics: failure.metrics,
        failure,
        error,
        cleanupMs: 0,
      };
    }
  } finally {
    safetyNet.releaseAll();
    const cleanupStarted = performance.now();
    own.releaseAll();
    cleanupMs = Math.round((performance.now() - cleanupStarted) * 1000) / 1000;
    options.signal.removeEventListener('abort', onOuterAbort);
  }
  result.cleanupMs = cleanupMs;
  return result;
}

function cancelledFailure(error: unknown, stage: string, asThrown: boolean): ProbeFailure {
  if (error instanceof ProbeFailure && (asThrown || error.errorClass === 'aborted')) return error;
  return new ProbeFailure('aborted', stage, 'cancelled');
}

/** How many resources of each kind a job opened elsewhere (a peer host), all released before it said so. */
export type ResourceTally = Partial<Record<ResourceKind, number>>;

/**
 * The attempt's ledger counts what its job opened and released in another process: the report's
 * `cleanup` then reads the same whether the job ran here or in a peer host.
 */
export function accountRemote(resources: LedgerScope, tally: ResourceTally, where: string): void {
  for (const [kind, count] of Object.entries(tally))
    for (let i = 0; i < (count ?? 0); i++)
      resources.register(kind as ResourceKind, `${kind} (in ${where})`, () => {}).release();
}
