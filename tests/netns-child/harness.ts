/**
 * Shared by the child entries that run inside a test's network namespace: run a probe through the
 * real runner (runJob), and print one JSON line per case with its attempts, event names and ledger.
 */
import { execFileSync } from 'node:child_process';
import { TimeoutsSchema, type AttemptReport, type Timeouts, type TriageEvent } from '../../src/contract';
import { runJob } from '../../src/core/runner/attempt';
import { AttemptLedger } from '../../src/core/ledger/ledger';
import { ExponentialBackoff } from '../../src/core/runner/retry';
import { systemLookup } from '../../src/core/probes/resolve';
import type { Probe, ResolvedTarget } from '../../src/core/probes/types';

export interface CaseResult {
  attempts: AttemptReport[];
  events: TriageEvent[];
}

/** Refuses to run anywhere but a namespace with only loopback: a guard against running it by hand. */
export function assertLoopbackOnly(): void {
  const out = execFileSync('ip', ['-o', 'addr', 'show'], { encoding: 'utf8' });
  if (!out.split('\n').every((line) => line === '' || /^\d+:\s+lo\s/.test(line)))
    throw new Error(`refusing to run outside a loopback-only network namespace:\n${out}`);
}

export function timeouts(overrides: Partial<Timeouts> = {}): Timeouts {
  return TimeoutsSchema.parse({
    iceGatheringMs: 3000,
    offerMs: 3000,
    answerMs: 3000,
    connectMs: 5000,
    ...overrides,
  });
}

/** One job through the real runner: lifecycle, safety net, ledger scope; no retries unless asked. */
export function runThroughRunner(
  probe: Probe,
  target: ResolvedTarget,
  options: {
    ledger: AttemptLedger;
    timeouts?: Timeouts;
    signal?: AbortSignal;
    onEvent?: (event: TriageEvent) => void;
    maxAttempts?: number;
  },
): Promise<CaseResult> {
  const events: TriageEvent[] = [];
  return runJob({
    runId: 'netns-test',
    probe,
    target,
    targets: [target],
    timeouts: options.timeouts ?? timeouts(),
    retry: new ExponentialBackoff({
      maxAttempts: options.maxAttempts ?? 1,
      baseDelayMs: 10,
      maxDelayMs: 10,
      multiplier: 2,
      jitter: 'none',
    }),
    ledger: options.ledger,
    lookup: systemLookup,
    signal: options.signal ?? new AbortController().signal,
    onEvent: (event) => {
      events.push(event);
      options.onEvent?.(event);
    },
    onAttempt: () => {},
  }).then((attempts) => ({ attempts, events }));
}

/** Runs one named case and prints its line; a case that throws is reported, not fatal. */
export async function runCase(
  name: string,
  body: (ledger: AttemptLedger) => Promise<unknown>,
): Promise<void> {
  const ledger = new AttemptLedger();
  let result: unknown;
  let error: string | null = null;
  try {
    result = await body(ledger);
  } catch (caught) {
    error = caught instanceof Error ? (caught.stack ?? caught.message) : String(caught);
  }
  // the probes' own teardown is synchronous; give late native callbacks a turn before counting
  await new Promise((resolve) => setTimeout(resolve, 20));
  process.stdout.write(
    `${JSON.stringify({ case: name, result, error, ledger: ledger.counts(), outstanding: ledger.outstanding() })}\n`,
  );
}

/** Summarises a case for the parent: attempts plus the names of the events they emitted. */
export function summary(result: CaseResult): { attempts: AttemptReport[]; eventNames: string[] } {
  return { attempts: result.attempts, eventNames: result.events.map((e) => e.name) };
}

/** nft inside this namespace only. */
export function nft(...args: string[]): void {
  execFileSync('nft', args, { stdio: ['ignore', 'ignore', 'inherit'] });
}
