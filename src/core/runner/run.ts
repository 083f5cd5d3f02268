import { randomUUID } from 'node:crypto';
import {
  REPORT_SCHEMA,
  type AttemptReport,
  type Config,
  type Report,
  type TriageEvent,
} from '../../contract';
import { targetReports } from '../analysis/target-status';
import { verdictFor } from '../analysis/verdict';
import { probesFor } from '../probes/registry';
import { systemLookup, type LookupFn } from '../probes/resolve';
import type { ResolvedTarget } from '../probes/types';
import type { HistoryStore } from '../store/history';
import { runJob } from './attempt';
import { AttemptLedger } from './ledger';
import { runPooled } from './pool';
import { ExponentialBackoff, type RetryPolicy } from './retry';

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
}

/**
 * One diagnosis: every probe against every target it applies to, in parallel up to
 * `config.concurrency`, each with retries; every attempt is stored as it ends.
 */
export async function runDiagnosis(options: DiagnosisOptions): Promise<Report> {
  const runId = options.runId ?? randomUUID();
  const startedAt = new Date();
  const started = performance.now();
  const ledger = new AttemptLedger();
  const signal = options.signal ?? new AbortController().signal;
  const retry = options.retry ?? new ExponentialBackoff(options.config.retry);
  const onEvent = options.onEvent ?? (() => {});
  const attempts: AttemptReport[] = [];

  options.store?.beginRun(runId, startedAt, options.source ?? 'cli', options.targets);
  onEvent({
    name: 'run.started',
    at: startedAt.toISOString(),
    runId,
    data: { targets: options.targets.length },
  });

  const jobs = options.targets.flatMap((target) =>
    probesFor(target.kind).map(
      (probe) => () =>
        runJob({
          runId,
          probe,
          target,
          timeouts: options.config.timeouts,
          retry,
          ledger,
          lookup: options.lookup ?? systemLookup,
          signal,
          onEvent,
          onAttempt: (attempt, events) => {
            attempts.push(attempt);
            options.store?.recordAttempt(runId, attempt, events);
          },
        }),
    ),
  );
  await runPooled(jobs, options.config.concurrency);

  const targets = targetReports(options.targets, attempts);
  const finishedAt = new Date();
  const report: Report = {
    schema: REPORT_SCHEMA,
    runId,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    verdict: verdictFor({
      targets,
      attempts,
      appFailing: options.appFailing ?? false,
      cancelled: signal.aborted,
    }),
    targets,
    attempts,
    patterns: [],
    cleanup: ledger.counts(),
  };
  options.store?.finishRun(report);
  onEvent({
    name: 'run.finished',
    at: finishedAt.toISOString(),
    runId,
    data: { verdict: report.verdict.kind },
  });
  return report;
}
