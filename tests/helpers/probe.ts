import { parseConfig } from '../../src/core/config/load';
import { resolveTargets } from '../../src/core/config/targets';
import { runJob } from '../../src/core/runner/attempt';
import { AttemptLedger } from '../../src/core/ledger/ledger';
import { ExponentialBackoff } from '../../src/core/runner/retry';
import type { LookupFn } from '../../src/core/probes/lookup';
import { systemLookup } from '../../src/core/probes/resolve';
import type { Probe, ResolvedTarget } from '../../src/core/probes/types';
import type { Config } from '../../src/contract';
import type { AttemptReport, TargetInput, TriageEvent } from './types';

/** Runs one probe against one target through the real runner (no retries unless asked). */
export async function runProbe(
  probe: Probe,
  target: TargetInput,
  options: {
    stunMs?: number;
    maxAttempts?: number;
    lookup?: LookupFn;
    signal?: AbortSignal;
    timeouts?: Partial<Record<'connectMs' | 'offerMs' | 'answerMs' | 'iceGatheringMs', number>>;
    /** Runs the target as given, past the config check (a TURN target without credentials). */
    unchecked?: boolean;
    /** PEM of a CA to trust for TLS servers, as a config's `tls.caFile` gives it. */
    tlsCa?: string;
  } = {},
): Promise<{ attempts: AttemptReport[]; events: TriageEvent[]; ledger: AttemptLedger }> {
  const checked =
    options.unchecked && target.kind === 'turn' ? { ...target, username: 'x', credential: 'x' } : target;
  const config = parseConfig({
    targets: [checked],
    timeouts: { stunMs: options.stunMs ?? 2000, ...options.timeouts },
    retry: { maxAttempts: options.maxAttempts ?? 1, baseDelayMs: 10, maxDelayMs: 50, jitter: 'none' },
  });
  const [parsed] = resolveTargets(config);
  if (!parsed) throw new Error('no target');
  const resolved: ResolvedTarget =
    options.unchecked && target.kind === 'turn' && parsed.kind === 'turn'
      ? { ...parsed, username: target.username, credential: target.credential }
      : parsed;
  const ledger = new AttemptLedger();
  const events: TriageEvent[] = [];
  const attempts = await runJob({
    runId: 'test-run',
    probe,
    target: resolved,
    targets: [resolved],
    ...(options.tlsCa ? { tlsCa: options.tlsCa } : {}),
    timeouts: config.timeouts,
    retry: new ExponentialBackoff(config.retry),
    ledger,
    lookup: options.lookup ?? systemLookup,
    signal: options.signal ?? new AbortController().signal,
    onEvent: (e) => events.push(e),
    onAttempt: () => {},
  });
  return { attempts, events, ledger };
}

/** One job through the real runner with a config's timeouts and retry policy, events discarded. */
export function runJobQuietly(
  probe: Probe,
  target: ResolvedTarget,
  targets: ResolvedTarget[],
  config: Config,
  ledger: AttemptLedger,
): Promise<AttemptReport[]> {
  return runJob({
    runId: 'quiet',
    probe,
    target,
    targets,
    timeouts: config.timeouts,
    retry: new ExponentialBackoff(config.retry),
    ledger,
    lookup: systemLookup,
    signal: new AbortController().signal,
    onEvent: () => {},
    onAttempt: () => {},
  });
}
