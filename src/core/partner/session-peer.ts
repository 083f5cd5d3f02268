/**
 * Where a session's peer side (`peer-side.ts`) runs: in a peer host when the engine has them — the
 * long-lived faces, where no RTCPeerConnection is opened in the engine's process (issue 20) — else
 * here (the one-shot `partner` command). The session sees the same handle either way: it feeds the
 * partner's signals in, gets this side's out, and awaits the result.
 */
import { ProbeFailure, type Metrics, type ProbeContext, type ProbeSuccess } from '../probes/types';
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

/**
 * Runs a side somewhere else than this process, with the side's two signal directions: the
 * service's peer hosts (`isolation/placement.ts` `peerSidesInPeerHosts`). Partner sessions know only
 * this type: isolation runs their sides, so partner imports no isolation (eslint.config.mjs).
 */
export type PeerSidePlacement = (
  ctx: ProbeContext,
  request: PeerSideRequest,
  send: (signal: PeerSignal) => void,
  signals: SignalQueue,
  signal: AbortSignal,
) => Promise<ProbeSuccess>;

export function openSessionPeer(
  place: PeerSidePlacement | null,
  ctx: ProbeContext,
  request: PeerSideRequest,
  send: (signal: PeerSignal) => void,
): SessionPeer {
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  if (ctx.signal.aborted) controller.abort();
  const signals = new SignalQueue();
  const settled = place
    ? place(ctx, request, send, signals, controller.signal)
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
