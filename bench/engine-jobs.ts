/**
 * Per-job figures for the engine benchmark: each probe job run alone (wall and CPU time), and the
 * timeline of every job inside a full diagnosis (when it started, when it ended, when it passed each
 * milestone), from which the critical path is read.
 */
import type { Config, TriageEvent } from '../src/contract';
import { probesForTarget } from '../src/core/probes/registry';
import { systemLookup } from '../src/core/probes/resolve';
import { MACHINE_TARGET, type Probe, type ResolvedTarget } from '../src/core/probes/types';
import { runJob } from '../src/core/runner/attempt';
import { AttemptLedger } from '../src/core/ledger/ledger';
import { ExponentialBackoff } from '../src/core/runner/retry';
import { cpuSample, cpuSince, type CpuDelta } from './cpu';

export interface Job {
  /** "probe @ target", unique within a diagnosis (the peer-connection paths differ by target kind). */
  key: string;
  probe: Probe;
  target: ResolvedTarget;
}

/** Every job a diagnosis of `targets` runs, this machine's (L0) included, as the runner plans them. */
export function jobsOf(targets: readonly ResolvedTarget[]): Job[] {
  return [MACHINE_TARGET, ...targets].flatMap((target) =>
    probesForTarget(target).map((probe) => ({ key: keyOf(probe.name, target.id), probe, target })),
  );
}

export const keyOf = (probe: string, targetId: string): string => `${probe} @ ${targetId}`;

/** Milestones of one job: ms since its attempt started, first occurrence of each event name. */
export type Milestones = Map<string, number>;

/** Events too frequent or too generic to be milestones. */
const NOT_MILESTONES = new Set([
  'ice.candidate',
  'attempt.state',
  'attempt.started',
  'run.started',
  'run.finished',
]);

export interface AloneRun {
  wallMs: number;
  cpu: CpuDelta;
  outcome: string;
  milestones: Milestones;
  leaked: number;
}

/** Runs one job by itself through the real runner; CPU time is the whole process's while it ran. */
export async function runAlone(job: Job, targets: ResolvedTarget[], config: Config): Promise<AloneRun> {
  const ledger = new AttemptLedger();
  const milestones: Milestones = new Map();
  const cpu = cpuSample();
  const started = performance.now();
  const attempts = await runJob({
    runId: 'bench-alone',
    probe: job.probe,
    target: job.target,
    targets: [MACHINE_TARGET, ...targets],
    timeouts: config.timeouts,
    retry: new ExponentialBackoff(config.retry),
    ledger,
    lookup: systemLookup,
    signal: new AbortController().signal,
    onEvent: (event) => {
      if (!NOT_MILESTONES.has(event.name) && !milestones.has(event.name))
        milestones.set(event.name, performance.now() - started);
    },
    onAttempt: () => {},
  });
  const wallMs = performance.now() - started;
  const last = attempts.at(-1);
  return {
    wallMs,
    cpu: cpuSince(cpu),
    outcome: last
      ? `${last.outcome}${last.outcome === 'success' ? '' : `: ${last.errorMessage}`}`
      : 'skipped',
    milestones,
    leaked: ledger.counts().leaked,
  };
}

export interface JobSpan {
  key: string;
  /** ms since the diagnosis started. */
  startMs: number;
  endMs: number;
  /** ms since this job's attempt started. */
  milestones: Milestones;
}

/** Collects every job's span from a diagnosis' events (give `record` to runDiagnosis' onEvent). */
export function timeline(runStarted: () => number): {
  record: (event: TriageEvent) => void;
  spans: () => JobSpan[];
} {
  const byCorrelation = new Map<string, JobSpan>();
  return {
    record: (event) => {
      const now = performance.now() - runStarted();
      if (!event.correlationId) return;
      let span = byCorrelation.get(event.correlationId);
      if (event.name === 'attempt.started' && !span) {
        span = {
          key: keyOf(String(event.data?.probe), String(event.targetId)),
          startMs: now,
          endMs: Number.NaN,
          milestones: new Map(),
        };
        byCorrelation.set(event.correlationId, span);
      }
      if (!span) return;
      if (event.name === 'attempt.finished' || event.name === 'attempt.skipped') span.endMs = now;
      if (!NOT_MILESTONES.has(event.name) && !span.milestones.has(event.name))
        span.milestones.set(event.name, now - span.startMs);
    },
    spans: () => [...byCorrelation.values()],
  };
}
