import type { AttemptReport, Config, Timeouts, EventData, EventName, TriageEvent } from '../../contract';
import type { PartnerRendezvous } from '../../contract/partner';
import type { LookupFn } from '../probes/lookup';
import type { ConfiguredTarget, ProbeContext, ProbeSuccess } from '../probes/types';
import type { AttemptLedger, LedgerScope } from '../ledger/ledger';
import type { RetryPolicy } from '../runner/retry';
import { runPartnerAttempt, type PartnerAttemptOutcome } from './attempt';
import type { PartnerKeys } from './code';
import type { PeerSidePlacement } from './session-peer';

/** The partner target: the other tester, wherever it is (host and reflexive paths are tried against it). */
export const PARTNER_TARGET = {
  id: 'partner',
  kind: 'partner',
  url: 'partner:remote-tester',
  layer: 'L4',
} as const;
export {
  PARTNER_RENDEZVOUS_PROBE as RENDEZVOUS_PROBE,
  PARTNER_SESSION_PROBE as SESSION_PROBE,
} from '../evidence/partner-probes';

/** Everything one side of a partner test shares: keys, config, ledger, history, events. */
export interface PartnerEnv {
  readonly keys: PartnerKeys;
  readonly runId: string;
  readonly config: Config;
  readonly targets: readonly ConfiguredTarget[];
  readonly timeouts: Timeouts;
  readonly retry: RetryPolicy;
  readonly ledger: AttemptLedger;
  readonly signal: AbortSignal;
  readonly lookup: LookupFn;
  /** Where the sessions' WebRTC runs: the service's peer hosts, or (null) this process. */
  readonly placePeerSide: PeerSidePlacement | null;
  /** No frame from the partner for this long: it is gone. */
  readonly silenceMs: number;
  /** Rendezvous rows for the result, in the order they ended. */
  readonly rendezvous: PartnerRendezvous[];
  /** Every attempt this side recorded, in order. */
  readonly attempts: AttemptReport[];
  onEvent(event: TriageEvent): void;
  /** Stores an attempt with its events (the history, when there is one). */
  record(attempt: AttemptReport, events: readonly TriageEvent[]): void;
  /** Takes the configured secrets out of what a probe reported (contract/secrets.ts). */
  scrub<T>(value: T): T;
}

/** A partner-level event (no attempt): paired, a path finished, the test ended. */
export function emitPartner<N extends EventName>(env: PartnerEnv, name: N, data?: EventData<N>): void {
  env.onEvent({
    name,
    at: new Date().toISOString(),
    runId: env.runId,
    correlationId: env.keys.correlationId,
    ...(data ? { data } : {}),
  });
}

/** Runs one attempt with the shared correlation id; records it when it tested something. */
export async function partnerAttempt(
  env: PartnerEnv,
  probe: string,
  target: { id: string; url: string },
  deadlineMs: number,
  body: (ctx: ProbeContext) => Promise<ProbeSuccess>,
  resources?: LedgerScope,
): Promise<PartnerAttemptOutcome> {
  const outcome = await runPartnerAttempt(
    {
      runId: env.runId,
      correlationId: env.keys.correlationId,
      probe,
      targetId: target.id,
      targetUrl: target.url,
      timeouts: env.timeouts,
      lookup: env.lookup,
      ledger: env.ledger,
      signal: env.signal,
      deadlineMs,
      onEvent: (event) => env.onEvent(event),
      ...(resources ? { resources } : {}),
    },
    body,
  );
  if (outcome.report) {
    const report = env.scrub(outcome.report);
    env.attempts.push(report);
    env.record(report, env.scrub(outcome.events));
    if (outcome.finished) env.onEvent(outcome.finished);
    return { ...outcome, report };
  }
  if (outcome.finished) env.onEvent(outcome.finished);
  return outcome;
}

/** Waits `ms` unless cancelled (false then); the timer is on the ledger. */
export function pause(env: PartnerEnv, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (env.signal.aborted) return resolve(false);
    const scope = env.ledger.scope();
    const onAbort = () => {
      scope.releaseAll();
      resolve(false);
    };
    env.signal.addEventListener('abort', onAbort, { once: true });
    scope.timeout('partner pause', ms, () => {
      env.signal.removeEventListener('abort', onAbort);
      resolve(true);
    });
  });
}
