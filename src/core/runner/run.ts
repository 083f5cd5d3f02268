import { randomUUID } from 'node:crypto';
import { getMaxListeners, setMaxListeners } from 'node:events';
import {
  matrixOf,
  pathQualityOf,
  REPORT_SCHEMA,
  SecretScrubber,
  type AttemptReport,
  type Config,
  type Report,
  type TriageEvent,
} from '../../contract';
import { targetReports } from '../analysis/target-status';
import { recentPatterns } from '../analysis/history-verdict';
import { recentPartnerSessions } from '../analysis/partner-evidence';
import { verdictFor } from '../analysis/verdict';
import { probesFor } from '../probes/registry';
import type { LookupFn } from '../probes/lookup';
import { systemLookup } from '../probes/resolve';
import { MACHINE_TARGET, type Probe, type ResolvedTarget } from '../probes/types';
import type { HistoryStore } from '../store/history';
import { runJob, skippedAttempt, type JobOptions } from './attempt';
import { readCaFile } from '../config/load';
import { errorMessage, TriageError } from '../errors';
import { attemptLayer } from '../evidence/layers';
import { AttemptLedger } from '../ledger/ledger';
import { runPlan } from './pool';
import { chaosFrom } from './chaos';
import { ExponentialBackoff, NO_RETRY, type RetryPolicy } from './retry';
import { planJobs, type PlannedJob } from './schedule';
import { secondLookPlan, secondLookTargets } from './second-look';

export interface DiagnosisOptions {
  config: Config;
  targets: ResolvedTarget[];
  signal?: AbortSignal;
  store?: HistoryStore;
  appFailing?: boolean;
  source?: string;
  runId?: string;
  retry?: RetryPolicy;
  lookup?: LookupFn;
  onEvent?: (event: TriageEvent) => void;
  /** Run the L0 probes against this machine (default true). */
  includeMachine?: boolean;
  /** Randomness for `flags.chaos` (tests pass a seeded one). */
  random?: () => number;
  /**
   * Where each probe runs: `inPeerHosts(pool)` (core/isolation/placement.ts) puts the WebRTC probes in
   * peer hosts; without it every probe runs in this process.
   */
  placeProbe?: ProbePlacement | undefined;
}

/** Wraps a probe so that its `run` happens elsewhere (a peer host), or returns it as it is. */
export type ProbePlacement = <T extends ResolvedTarget>(probe: Probe<T>) => Probe<T>;

/**
 * One diagnosis: every probe against every target it applies to, in parallel up to
 * `config.concurrency`, each with retries; every attempt is stored as it ends.
 */
export async function runDiagnosis(options: DiagnosisOptions): Promise<Report> {
  const runId = options.runId ?? randomUUID();
  const startedAt = new Date();
  const started = performance.now();
  const ledger = new AttemptLedger();
  // a history that refuses a write (full disk) stops the run: nothing may be reported as stored that is not
  const storeFailed = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, storeFailed.signal]) : storeFailed.signal;
  let storeFailure: { error: unknown; stored: number } | null = null;
  let stored = 0;
  const write = (what: () => void): boolean => {
    if (storeFailure) return false;
    try {
      what();
      return true;
    } catch (error) {
      storeFailure = { error, stored };
      storeFailed.abort();
      return false;
    }
  };
  // every attempt in flight listens for the run's cancellation: more than Node's default of 10 listeners
  // is normal with a higher `concurrency`, not a leak (Node would warn on stderr)
  setMaxListeners(Math.max(getMaxListeners(signal), options.config.concurrency + 10), signal);
  const flags = options.config.flags;
  // flags.resilience false: the seed's "resilience off" switch, one attempt per probe.
  const retry =
    options.retry ?? (flags?.resilience === false ? NO_RETRY : new ExponentialBackoff(options.config.retry));
  const chaos = chaosFrom(flags, options.random);
  // nothing a probe says leaves the run with a configured secret in it (a server echoing a token)
  const scrubber = SecretScrubber.forTargets(options.targets);
  const emitEvent = options.onEvent ?? (() => {});
  const onEvent = (event: TriageEvent) => emitEvent(scrubber.value(event));
  const attempts: AttemptReport[] = [];

  // This machine is a target too when some probe needs no server (L0: the local WebRTC stack).
  const targets: ResolvedTarget[] =
    options.includeMachine !== false && probesFor('machine').length > 0
      ? [MACHINE_TARGET, ...options.targets]
      : [...options.targets];
  // read once per run, before anything is stored: the file was checked when the config was loaded,
  // and may have been renewed (or removed) since
  const tlsCa = options.config.tls?.caFile ? readCaFile(options.config.tls.caFile) : null;
  if (options.store) {
    const store = options.store;
    write(() => store.beginRun(runId, startedAt, options.source ?? 'cli', targets));
    throwIfNotStored(storeFailure, options.store);
  }
  onEvent({
    name: 'run.started',
    at: startedAt.toISOString(),
    runId,
    data: {
      targets: targets.length,
      ...(flags ? { flags: { resilience: flags.resilience, chaos: flags.chaos } } : {}),
    },
  });

  const jobOptions = ({ target, probe }: PlannedJob): JobOptions => ({
    runId,
    tlsCa,
    probe: options.placeProbe ? options.placeProbe(probe) : probe,
    target,
    targets,
    timeouts: options.config.timeouts,
    retry,
    chaos,
    ledger,
    lookup: options.lookup ?? systemLookup,
    signal,
    onEvent,
    onAttempt: (raw, rawEvents) => {
      // the layer is decided here, once: the store, the report and every screen read this one
      const attempt = { ...scrubber.value(raw), layer: attemptLayer(raw, target.layer) };
      const store = options.store;
      if (store && !write(() => store.recordAttempt(runId, attempt, scrubber.value(rawEvents)))) return false;
      stored++;
      attempts.push(attempt);
      return true;
    },
  });
  const plan = planJobs(targets, options.config.timeouts);
  const runJobs = (jobs: readonly PlannedJob[]) =>
    runPlan(
      jobs,
      options.config.concurrency,
      (job) => runJob(jobOptions(job)),
      (job, prerequisite) => skippedAttempt(jobOptions(job), prerequisite),
    );
  await runJobs(plan);

  let summaries = targetReports(targets, attempts);
  // a server that only timed out while others lost packets and recovered gets a second look (second-look.ts)
  const lookAgain = signal.aborted ? [] : secondLookTargets(summaries, attempts);
  if (lookAgain.length > 0) {
    onEvent({ name: 'run.second-look', at: new Date().toISOString(), runId, data: { targets: lookAgain } });
    await runJobs(
      secondLookPlan(
        plan,
        targets.filter((t) => lookAgain.includes(t.id)),
      ),
    );
    summaries = targetReports(targets, attempts);
  }
  const finishedAt = new Date();
  const report: Report = {
    schema: REPORT_SCHEMA,
    runId,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    verdict: verdictFor({
      targets: summaries,
      // a partner test of the last half hour proved the cross-network path (L4): it counts too
      attempts: options.store
        ? [...attempts, ...recentPartnerSessions(options.store.queries, Date.now())]
        : attempts,
      appFailing: options.appFailing ?? false,
      cancelled: signal.aborted,
    }),
    targets: summaries,
    attempts,
    // what the stored history shows over the last 24 h, this run included
    patterns: options.store ? recentPatterns(options.store.queries, Date.now()) : [],
    quality: pathQualityOf(attempts),
    matrix: matrixOf(summaries, attempts),
    cleanup: ledger.counts(),
  };
  if (options.store) {
    const store = options.store;
    write(() => store.finishRun(report));
    throwIfNotStored(storeFailure, options.store);
  }
  onEvent({
    name: 'run.finished',
    at: finishedAt.toISOString(),
    runId,
    data: {
      verdict: report.verdict.kind,
      durationMs: report.durationMs,
      cleanup: report.cleanup,
      // what telemetry needs for per-server health without the whole report
      targets: report.targets.map((t) => ({ id: t.id, kind: t.kind, layer: t.layer, status: t.status })),
    },
  });
  return report;
}

/** A write the history refused ends the diagnosis with the reason and what is kept. */
function throwIfNotStored(failure: { error: unknown; stored: number } | null, store: HistoryStore): void {
  if (!failure) return;
  throw new TriageError(
    'DB_UNWRITABLE',
    `cannot store the diagnosis in the history database ${store.file}: ${errorMessage(failure.error)}. The diagnosis stopped; ${failure.stored} attempt(s) were stored and are kept. Free some space (or use --db on another disk) and run again.`,
    { cause: failure.error },
  );
}
