/**
 * Where a session's peer side (`peer-side.ts`) runs: in a peer host when the engine has them — the
 * long-lived faces, where no RTCPeerConnection is opened in the engine's process (issue 20) — else
 * here (the one-shot `partner` command). The session sees the same handle either way: it feeds the
 * partner's signals in, gets this side's out, and awaits the result.
 */
import type { PeerHostPool } from '../isolation/pool';
import { outcomeOf } from '../isolation/pool';
import { ProbeFailure, type Metrics, type ProbeContext, type ProbeSuccess } from '../probes/types';
import { accountRemote } from '../runner/attempt-core';
import type { PeerSignal } from './messages';
import { runPeerSide, SignalQueue, type PeerSideRequest } from './peer-side';

export interface SessionPeer {
  /** A signal from the partner. */
  handle(signal: PeerSignal): void;
  /**
   * The side's result (the offerer's measurements) or its first failure — a peer host that died
   * under it is a `PeerHostLost`. Never settles once `stop()` was called.
   */
  readonly done: Promise<ProbeSuccess>;
  /** Ends the side if it still runs; resolves once its resources are released, with the metrics it had. */
  stop(): Promise<Metrics>;
}

export function openSessionPeer(
  pool: PeerHostPool | null,
  ctx: ProbeContext,
  request: PeerSideRequest,
  send: (signal: PeerSignal) => void,
): SessionPeer {
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  if (ctx.signal.aborted) controller.abort();
  const signals = new SignalQueue();
  const settled = pool
    ? inPeerHost(pool, ctx, request, send, signals, controller.signal)
    : runPeerSide(
        request,
        // its own scope: the side may end (and release) before the session around it does
        { ...ctx, signal: controller.signal, resources: ctx.resources.scope() },
        { send, onSignal: (handler) => signals.onSignal(handler) },
      );
  const detach = () => ctx.signal.removeEventListener('abort', onAbort);
  settled.then(detach, detach);
  let stopping = false;
  const done = settled.catch((error: unknown) => {
    if (stopping) return new Promise<never>(() => {});
    throw error;
  });
  done.catch(() => {});
  return {
    handle: (signal) => signals.push(signal),
    done,
    stop: () => {
      stopping = true;
      controller.abort();
      return settled.then(
        () => ({}),
        (error: unknown) => (error instanceof ProbeFailure ? error.metrics : {}),
      );
    },
  };
}

async function inPeerHost(
  pool: PeerHostPool,
  ctx: ProbeContext,
  request: PeerSideRequest,
  send: (signal: PeerSignal) => void,
  signals: SignalQueue,
  signal: AbortSignal,
): Promise<ProbeSuccess> {
  const reply = await pool.run(
    {
      type: 'partner',
      side: request,
      timeouts: ctx.timeouts,
      correlationId: ctx.correlationId,
      attempt: ctx.attempt,
    },
    { emit: ctx.emit, stage: ctx.stage, signal: send },
    signal,
    signals,
  );
  accountRemote(ctx.resources, reply.opened, 'a peer host');
  if (reply.leaked > 0) ctx.emit('peer-host.leaked', { resources: reply.leaked });
  return outcomeOf(reply);
}
