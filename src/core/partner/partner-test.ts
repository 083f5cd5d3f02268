/**
 * The remote partner test, one side of it (issue #11): the host gets a code and waits; the joiner
 * enters it; the two meet through a signaling server and run host-only, reflexive-only and
 * relay-only sessions between their networks. Each side records its attempts in its own history
 * under the correlation id both derive from the code, and ends with the same result table.
 */
import { randomUUID } from 'node:crypto';
import { SecretScrubber, type Config, type TriageEvent } from '../../contract';
import {
  PARTNER_CODE_TTL_MS,
  PARTNER_SCHEMA,
  type PartnerCode,
  type PartnerPath,
  type PartnerResult,
  type PartnerRole,
  type PartnerStatus,
} from '../../contract/partner';
import { partnerCrossNetwork } from '../analysis/partner-evidence';
import { targetReports } from '../analysis/target-status';
import { verdictFor } from '../analysis/verdict';
import { resolveTargets } from '../config/targets';
import { TriageError } from '../errors';
import { udpStun } from '../probes/ice-gathering';
import type { LookupFn } from '../probes/lookup';
import { systemLookup } from '../probes/resolve';
import type { ConfiguredTarget, ProbeContext } from '../probes/types';
import { AttemptLedger, type LedgerScope } from '../ledger/ledger';
import { ExponentialBackoff, type RetryPolicy } from '../runner/retry';
import type { PeerSidePlacement } from './session-peer';
import type { HistoryStore } from '../store/history';
import { finishPartnerRun } from '../store/partner-runs';
import { deriveKeys, newPartnerCode, parsePartnerCode, type PartnerKeys } from './code';
import { emitPartner, PARTNER_TARGET, type PartnerEnv } from './env';
import { runHostSession, type SessionOutcome } from './host-session';
import { runJoinSession } from './join-session';
import type { PartnerLink } from './link';
import { natPresence } from './nat-check';
import { buildPlan, joinBody, sideFacts } from './plan';
import { findHost, openHostMeeting } from './rendezvous';
import type { SignalingTarget } from './transport';

export interface PartnerTestOptions {
  config: Config;
  store?: HistoryStore;
  /** The face running the test (cli, desktop, serve); recorded with the run. */
  source: string;
  signal?: AbortSignal;
  onEvent?: (event: TriageEvent) => void;
  lookup?: LookupFn;
  retry?: RetryPolicy;
  /**
   * Run the sessions' WebRTC there (the long-lived faces: the service's peer hosts, nothing of
   * libwebrtc in the engine's process); without, in this process (the one-shot `partner` command).
   */
  placePeerSide?: PeerSidePlacement | null;
}

export interface PartnerHostOptions extends PartnerTestOptions {
  /** How long the code is valid (default 10 minutes). */
  codeTtlMs?: number;
}

export interface PartnerHostRun {
  /** The code to show, once at least one signaling server listens; null when none could be reached. */
  code: Promise<PartnerCode | null>;
  result: Promise<PartnerResult>;
}

/** Shortest and longest code lifetimes `--code-ttl` accepts. */
export const CODE_TTL_RANGE_MS = { min: 1000, max: 60 * 60_000 } as const;
/** How long a side that is cancelled mid-test gives its goodbye to leave. */
const GOODBYE_FLUSH_MS = 300;

function signalingServers(config: Config): { targets: ConfiguredTarget[]; servers: SignalingTarget[] } {
  const targets = resolveTargets(config);
  const servers = targets.filter((t): t is SignalingTarget => t.kind === 'gun' || t.kind === 'peerjs');
  if (servers.length === 0) {
    throw new TriageError(
      'CONFIG_INVALID',
      'partner: the config lists no signaling server (a "gun" or "peerjs" target): the two testers need one to meet',
      { field: 'targets' },
    );
  }
  return { targets, servers };
}

/** Starts the host's side: the code resolves once it can be shown, the result when the test ends. */
export function startPartnerHost(options: PartnerHostOptions): PartnerHostRun {
  const ttl = options.codeTtlMs ?? PARTNER_CODE_TTL_MS;
  if (!Number.isFinite(ttl) || ttl < CODE_TTL_RANGE_MS.min || ttl > CODE_TTL_RANGE_MS.max)
    throw new TriageError('ARGUMENT_INVALID', 'partner: the code lifetime must be between 1 s and 60 min', {
      field: 'codeTtlMs',
    });
  const { targets, servers } = signalingServers(options.config);
  let showCode: (code: PartnerCode | null) => void = () => {};
  const code = new Promise<PartnerCode | null>((resolve) => (showCode = resolve));
  const result = (async () => {
    const text = newPartnerCode();
    const side = await openSide(options, 'host', await deriveKeys(text), targets);
    let link: PartnerLink | null = null;
    let ending: Ending;
    try {
      ending = await (async (): Promise<Ending> => {
        const nat = await natPresence(side.bare(), firstUdpStun(targets));
        const expiresAt = Date.now() + ttl;
        const meeting = await openHostMeeting(side.env, servers, side.scope, expiresAt);
        if (meeting.listening.length === 0)
          return ending_('unreachable', `could not reach any signaling server: ${failures(side.env)}`);
        showCode({ code: text, expiresAt: new Date(expiresAt).toISOString() });
        emitPartner(side.env, 'partner.waiting', { expiresAt: new Date(expiresAt).toISOString() });
        const outcome = await Promise.race([meeting.outcome, side.cancelled]);
        if (outcome === 'cancelled') return ending_('cancelled', 'cancelled while waiting for a partner');
        if ('expired' in outcome)
          return ending_(
            'expired',
            `nobody joined before the code expired (${new Date(expiresAt).toISOString()})`,
          );
        if ('unreachable' in outcome)
          return ending_('unreachable', 'every signaling server dropped the connection while waiting');
        link = outcome.paired.link;
        const via = outcome.paired.transport.target;
        emitPartner(side.env, 'partner.paired', { via: via.kind, targetId: via.id });
        const plan = buildPlan(sideFacts(targets, nat), outcome.paired.join);
        link.send({ t: 'welcome', plan });
        return side.sessionEnding(await runHostSession(side.env, link, plan, nat), via);
      })();
    } finally {
      showCode(null);
      await side.close(link);
    }
    return side.result(ending);
  })();
  return { code, result };
}

/** Runs the joiner's side to the end. A code that is not one is refused before anything starts. */
export async function runPartnerJoin(options: PartnerTestOptions & { code: string }): Promise<PartnerResult> {
  const text = parsePartnerCode(options.code);
  const { targets, servers } = signalingServers(options.config);
  const side = await openSide(options, 'join', await deriveKeys(text), targets);
  let link: PartnerLink | null = null;
  let ending: Ending;
  try {
    ending = await (async (): Promise<Ending> => {
      const nat = await natPresence(side.bare(), firstUdpStun(targets));
      const found = await findHost(side.env, servers, side.scope, joinBody(sideFacts(targets, nat)), text);
      if ('rejected' in found) return ending_('code-rejected', found.message, found.rejected);
      if ('unreachable' in found)
        return ending_(side.env.signal.aborted ? 'cancelled' : 'unreachable', found.message);
      link = found.joined.link;
      emitPartner(side.env, 'partner.paired', { via: found.joined.via.kind, targetId: found.joined.via.id });
      return side.sessionEnding(
        await runJoinSession(side.env, link, found.joined.welcome, nat),
        found.joined.via,
      );
    })();
  } finally {
    await side.close(link);
  }
  return side.result(ending);
}

function firstUdpStun(targets: readonly ConfiguredTarget[]): ConfiguredTarget | undefined {
  return targets.find((t) => t.kind === 'stun' && udpStun(t));
}

function failures(env: PartnerEnv): string {
  return env.rendezvous.map((r) => `${r.url}: ${r.message ?? r.outcome}`).join('; ');
}

/** How one side's test ended, before the result is built (after everything is released). */
interface Ending {
  status: PartnerStatus;
  message: string;
  codeProblem: PartnerResult['codeProblem'];
  pairedVia: PartnerResult['pairedVia'];
  paths: PartnerPath[];
}

function ending_(
  status: PartnerStatus,
  message: string,
  codeProblem: PartnerResult['codeProblem'] = null,
): Ending {
  return { status, message, codeProblem, pairedVia: null, paths: [] };
}

interface Side {
  env: PartnerEnv;
  scope: LedgerScope;
  /** Resolves with 'cancelled' when the caller's signal aborts. */
  cancelled: Promise<'cancelled'>;
  /** A probe context for work outside any attempt (the NAT check), on a scope of its own. */
  bare(): ProbeContext;
  sessionEnding(session: SessionOutcome, via: SignalingTarget): Ending;
  /** Releases everything (telling a paired partner when this side was cancelled). */
  close(link: PartnerLink | null): Promise<void>;
  /** The result, once closed: the ledger is final then. */
  result(ending: Ending): PartnerResult;
}

async function openSide(
  options: PartnerTestOptions,
  role: PartnerRole,
  keys: PartnerKeys,
  targets: readonly ConfiguredTarget[],
): Promise<Side> {
  const ledger = new AttemptLedger();
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) controller.abort();
  const runId = randomUUID();
  const startedAt = new Date();
  const started = performance.now();
  // nothing a server says leaves this side with a configured secret in it
  const scrubber = SecretScrubber.forTargets(targets);
  const env: PartnerEnv = {
    keys,
    runId,
    config: options.config,
    targets,
    timeouts: options.config.timeouts,
    retry: options.retry ?? new ExponentialBackoff(options.config.retry),
    ledger,
    signal: controller.signal,
    lookup: options.lookup ?? systemLookup,
    placePeerSide: options.placePeerSide ?? null,
    silenceMs: Math.max(6000, 2 * options.config.timeouts.answerMs),
    rendezvous: [],
    attempts: [],
    scrub: (value) => scrubber.value(value),
    onEvent: (event) => options.onEvent?.(scrubber.value(event)),
    record: (attempt, events) => options.store?.recordAttempt(runId, attempt, events),
  };
  options.store?.beginRun(runId, startedAt, `${options.source}:partner-${role}`, [
    ...targets,
    PARTNER_TARGET,
  ]);
  emitPartner(env, 'partner.started', { role });
  const scope = ledger.scope();
  const cancelled = new Promise<'cancelled'>((resolve) => {
    if (controller.signal.aborted) resolve('cancelled');
    controller.signal.addEventListener('abort', () => resolve('cancelled'), { once: true });
  });

  return {
    env,
    scope,
    cancelled,
    bare: () => ({
      signal: controller.signal,
      resources: ledger.scope(),
      timeouts: env.timeouts,
      correlationId: keys.correlationId,
      attempt: 1,
      lookup: env.lookup,
      targets: [],
      emit: () => {},
      stage: () => {},
    }),
    sessionEnding: (session, via) => {
      const base = {
        codeProblem: null,
        pairedVia: { targetId: via.id, kind: via.kind, url: via.url },
        paths: session.paths,
      };
      if (!session.stopped) return { ...base, status: 'completed', message: 'every session of the plan ran' };
      if (controller.signal.aborted)
        return { ...base, status: 'cancelled', message: 'cancelled during the test' };
      return { ...base, status: 'partner-lost', message: session.stopped.message };
    },
    close: async (link) => {
      if (link && controller.signal.aborted) {
        // tell the partner now rather than let it wait out its silence limit
        link.send({ t: 'bye', reason: 'cancelled' });
        await new Promise((resolve) => setTimeout(resolve, GOODBYE_FLUSH_MS));
      }
      link?.transport.quiet();
      scope.releaseAll();
      options.signal?.removeEventListener('abort', onAbort);
      // late native callbacks (data channel and socket closes) get a turn before the ledger is read
      await new Promise((resolve) => setImmediate(resolve));
    },
    result: (ending) => {
      const finishedAt = new Date();
      const crossNetwork = partnerCrossNetwork(ending.paths);
      const involved = targets.filter((t) => env.attempts.some((a) => a.targetId === t.id));
      const verdict =
        env.attempts.length === 0
          ? null
          : verdictFor({
              targets: targetReports(involved, env.attempts),
              attempts: env.attempts,
              appFailing: false,
              cancelled: ending.status === 'cancelled',
            });
      const result: PartnerResult = {
        schema: PARTNER_SCHEMA,
        role,
        correlationId: keys.correlationId,
        runId,
        status: ending.status,
        message: ending.status === 'completed' ? crossNetwork.summary : ending.message,
        codeProblem: ending.codeProblem,
        startedAt: startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        durationMs: Math.round(performance.now() - started),
        pairedVia: ending.pairedVia,
        rendezvous: env.rendezvous,
        paths: ending.paths,
        crossNetwork,
        verdict,
        cleanup: ledger.counts(),
      };
      if (options.store) finishPartnerRun(options.store, runId, finishedAt, verdict?.kind ?? null);
      emitPartner(env, 'partner.finished', { status: ending.status, crossNetwork: crossNetwork.result });
      return result;
    },
  };
}
