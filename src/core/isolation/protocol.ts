/**
 * The messages between the engine and a peer host (a child process that runs WebRTC probes, see
 * `pool.ts`). Both ends are this program, but a host can crash or be replaced mid-message, so the
 * engine checks every reply's shape before it trusts it (`readReply`).
 */
import type { Timeouts } from '../../contract';
import { SignalSchema, type PeerSignal } from '../partner/messages';
import type { PeerSideRequest } from '../partner/peer-side';
import type { Metrics, ResolvedTarget } from '../probes/types';
import type { ResourceTally } from '../runner/attempt-core';

export interface RunRequest {
  type: 'run';
  job: number;
  probe: string;
  target: ResolvedTarget;
  targets: ResolvedTarget[];
  timeouts: Timeouts;
  correlationId: string;
  attempt: number;
}

/** One side's WebRTC half of a partner session (`partner/peer-side.ts`); its signals cross both ways. */
export interface PartnerRequest {
  type: 'partner';
  job: number;
  side: PeerSideRequest;
  timeouts: Timeouts;
  correlationId: string;
  attempt: number;
}

/** What the pool is asked to run: a probe or a partner session's peer side (the pool numbers it). */
export type JobRequest = (Omit<RunRequest, 'job' | 'type'> & { type?: 'run' }) | Omit<PartnerRequest, 'job'>;

export type HostRequest =
  | RunRequest
  | PartnerRequest
  /** A signal from the partner for a running partner job. */
  | { type: 'signal'; job: number; signal: PeerSignal }
  | { type: 'abort'; job: number }
  /** Load libwebrtc now, and answer `ready`, so the first job does not pay for it. */
  | { type: 'warm' }
  | { type: 'shutdown' };

/** What a job opened in the host, by kind; all of it was released before `done` was sent. */
export type { ResourceTally };

export type JobOutcome =
  | { outcome: 'success'; stage: string; metrics: Metrics }
  | { outcome: 'failure'; errorClass: string; stage: string; message: string; metrics: Metrics }
  | { outcome: 'not-applicable'; reason: string };

export type DoneReply = { type: 'done'; job: number; opened: ResourceTally; leaked: number } & JobOutcome;

export type HostReply =
  | { type: 'ready' }
  | { type: 'emit'; job: number; name: string; data?: Record<string, unknown> }
  | { type: 'stage'; job: number; name: string }
  /** A partner job's signal for the partner (the engine carries it through the signaling server). */
  | { type: 'signal'; job: number; signal: PeerSignal }
  | DoneReply;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';

/** The reply, or null when the message is not one a host sends. */
export function readReply(message: unknown): HostReply | null {
  if (!isRecord(message)) return null;
  if (message.type === 'ready') return { type: 'ready' };
  if (!Number.isSafeInteger(message.job)) return null;
  const job = message.job as number;
  switch (message.type) {
    case 'emit':
      if (!isString(message.name) || (message.data !== undefined && !isRecord(message.data))) return null;
      return {
        type: 'emit',
        job,
        name: message.name,
        ...(message.data ? { data: message.data } : {}),
      };
    case 'stage':
      return isString(message.name) ? { type: 'stage', job, name: message.name } : null;
    case 'signal': {
      const signal = SignalSchema.safeParse(message.signal);
      return signal.success ? { type: 'signal', job, signal: signal.data } : null;
    }
    case 'done':
      return readDone(message, job);
    default:
      return null;
  }
}

function readDone(message: Record<string, unknown>, job: number): DoneReply | null {
  if (!isRecord(message.opened) || !Number.isSafeInteger(message.leaked)) return null;
  const base = {
    type: 'done' as const,
    job,
    opened: message.opened as ResourceTally,
    leaked: message.leaked as number,
  };
  const metrics = isRecord(message.metrics) ? (message.metrics as Metrics) : {};
  if (message.outcome === 'success' && isString(message.stage))
    return { ...base, outcome: 'success', stage: message.stage, metrics };
  if (
    message.outcome === 'failure' &&
    isString(message.errorClass) &&
    isString(message.stage) &&
    isString(message.message)
  )
    return {
      ...base,
      outcome: 'failure',
      errorClass: message.errorClass,
      stage: message.stage,
      message: message.message,
      metrics,
    };
  if (message.outcome === 'not-applicable' && isString(message.reason))
    return { ...base, outcome: 'not-applicable', reason: message.reason };
  return null;
}
