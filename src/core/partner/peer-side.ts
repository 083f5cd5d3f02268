/**
 * The WebRTC half of one partner session, on one side: the RTCPeerConnection, its data channels,
 * the offer/answer/ICE/connect stages and the measurements. It runs where WebRTC runs: in a peer
 * host in the long-lived faces (`isolation/host.ts`, issue 20), in this process for the one-shot
 * `partner` command. It knows nothing of the partner link: its signals go out through `wire.send`
 * and come in through `wire.onSignal`; the session around it (`host-session.ts`, `join-session.ts`)
 * carries them through the signaling server and watches the partner's liveness.
 */
import { classifyError } from '../probes/classify';
import { ProbeFailure, type Metrics, type ProbeContext, type ProbeSuccess } from '../probes/types';
import { stageWait } from '../probes/webrtc/session-steps';
import {
  explainIceError,
  loadWrtc,
  noRelayReason,
  round,
  type CandidateType,
  type IceCandidateErrorEvent,
  type PeerConnectionConfig,
} from '../probes/webrtc/wrtc';
import { answerMeasurements, measure, MEASURE_MS } from './measure';
import type { PeerSignal, PlannedPath } from './messages';
import { openRemotePeer, type RemotePeer } from './remote-peer';
import { sameNetwork, selectedPair } from './selected-pair';

/** What one side needs to run its half of a session (plain data: it crosses into a peer host). */
export interface PeerSideRequest {
  /** The host offers and measures; the joiner answers and echoes. */
  role: 'offerer' | 'answerer';
  planned: PlannedPath;
  config: PeerConnectionConfig;
  keep: CandidateType;
}

export interface SignalWire {
  /** A signal for the partner. */
  send(signal: PeerSignal): void;
  /** Signals from the partner, from now on (and those that came before). */
  onSignal(handler: (signal: PeerSignal) => void): void;
}

/** Signals that may come before the peer connection exists (libwebrtc is still loading). */
export class SignalQueue {
  private readonly queued: PeerSignal[] = [];
  private handler: ((signal: PeerSignal) => void) | null = null;

  push(signal: PeerSignal): void {
    if (this.handler) this.handler(signal);
    else if (this.queued.length < 1000) this.queued.push(signal);
  }

  onSignal(handler: (signal: PeerSignal) => void): void {
    this.handler = handler;
    for (const signal of this.queued.splice(0)) handler(signal);
  }
}

export function noCandidateWords(
  side: 'host' | 'joiner',
  planned: PlannedPath,
  errors: IceCandidateErrorEvent[],
): ProbeFailure {
  const error = errors.find((e) => e.errorCode !== 701) ?? errors[0];
  const why = error ? `: ${explainIceError(error)}` : '';
  if (planned.path === 'relay')
    return new ProbeFailure(
      error && error.errorCode !== 701 ? 'server-error' : 'unreachable',
      'ice',
      `${side}: the TURN server ${planned.server ?? ''} gave no relay candidate: ${noRelayReason(error)}`,
    );
  if (planned.path === 'srflx')
    return new ProbeFailure(
      'unreachable',
      'ice',
      `${side}: no reflexive candidate from the STUN server (no answer, or UDP to it is blocked)${why}`,
    );
  return new ProbeFailure('internal', 'ice', `${side}: this machine offered no usable host candidate${why}`);
}

export function candidateMetrics(peer: RemotePeer, side: 'host' | 'joiner'): Metrics {
  return {
    [`${side}HostCandidates`]: peer.gathered.host ?? 0,
    [`${side}SrflxCandidates`]: peer.gathered.srflx ?? 0,
    [`${side}RelayCandidates`]: peer.gathered.relay ?? 0,
  };
}

const CONNECT_WORDS: Record<PlannedPath['path'], string> = {
  host: 'over host addresses (they only meet on one network or a VPN)',
  srflx:
    'directly over their public (reflexive) addresses: the NATs between them do not let a direct path through',
  relay: 'through the TURN relay',
};

/**
 * Runs this side's half. The offerer resolves with the session's measurements; the answerer runs
 * until `ctx.signal` ends it (the host's row came) and rejects, classified, when something fails
 * on its end first. Every failure carries the candidate counts gathered so far.
 */
export function runPeerSide(
  request: PeerSideRequest,
  ctx: ProbeContext,
  wire: SignalWire,
): Promise<ProbeSuccess> {
  return request.role === 'offerer'
    ? offerAndMeasure(request, ctx, wire)
    : answerUntilEnded(request, ctx, wire);
}

async function offerAndMeasure(
  request: PeerSideRequest,
  ctx: ProbeContext,
  wire: SignalWire,
): Promise<ProbeSuccess> {
  const { planned } = request;
  const metrics: Metrics = {};
  const { offerMs, answerMs, iceGatheringMs, connectMs } = ctx.timeouts;
  let stage = 'offer';
  let peer: RemotePeer | null = null;
  try {
    ctx.stage(stage);
    const started = performance.now();
    const wrtc = await loadWrtc(stage);
    const p = (peer = openRemotePeer(wrtc, ctx, {
      role: 'offerer',
      config: request.config,
      keep: request.keep,
      send: (signal) => wire.send(signal),
      noCandidate: (errors) => noCandidateWords('host', planned, errors),
    }));
    wire.onSignal((signal) => p.handle(signal));
    const wait = <T>(name: string, ms: number, work: Promise<T>, onTimeout?: () => ProbeFailure) => {
      stage = name;
      const failed = p.failed.catch((error: unknown) => {
        const failure = classifyError(error, name);
        throw new ProbeFailure(failure.errorClass, name, `host: ${failure.message}`);
      });
      return stageWait(ctx, name, ms, Promise.race([work, failed]), onTimeout);
    };
    await wait('offer', offerMs, p.start());
    await wait(
      'answer',
      answerMs,
      p.described,
      () =>
        new ProbeFailure('timeout', 'answer', `the joiner did not answer the offer within ${answerMs} ms`),
    );
    await wait('ice', iceGatheringMs, p.candidatesReady, () => {
      const words = noCandidateWords('host', planned, p.errors);
      return new ProbeFailure('timeout', 'ice', `${words.message} within ${iceGatheringMs} ms`);
    });
    await wait(
      'connect',
      connectMs,
      p.connected,
      () =>
        new ProbeFailure(
          'timeout',
          'connect',
          `the two testers did not connect ${CONNECT_WORDS[planned.path]} within ${connectMs} ms`,
        ),
    );
    metrics.timeToConnectMs = round(performance.now() - started);
    let selected = await selectedPair(p.pc);
    const describePair = () => {
      metrics.localCandidateType = selected.local;
      metrics.remoteCandidateType = selected.remote;
      metrics.iceRttMs = selected.iceRttMs;
      const same = planned.path === 'host' ? sameNetwork(selected) : null;
      if (same !== null) metrics.sameNetwork = same;
    };
    describePair();
    ctx.emit('peer.connected', { path: planned.path, local: selected.local, remote: selected.remote });
    ctx.stage('measure');
    Object.assign(metrics, await wait('measure', MEASURE_MS, measure(p, ctx)));
    // Right at `connect` libwebrtc may name no pair yet: after the measurements, which crossed it, it has.
    if (selected.local === null) {
      selected = await selectedPair(p.pc);
      describePair();
    }
    ctx.emit('peer.echo.completed', {
      path: planned.path,
      rttMsP50: metrics.rttMsP50,
      lossPct: metrics.lossPct,
    });
    return { stage: 'measure', metrics: { ...metrics, ...candidateMetrics(p, 'host') } };
  } catch (error) {
    const failure = classifyError(error, stage);
    throw new ProbeFailure(failure.errorClass, failure.stage, failure.message, {
      ...failure.metrics,
      ...metrics,
      ...(peer ? candidateMetrics(peer, 'host') : {}),
    });
  } finally {
    ctx.resources.releaseAll();
    if (peer) ctx.emit('signal.teardown.success', { path: planned.path });
  }
}

async function answerUntilEnded(
  request: PeerSideRequest,
  ctx: ProbeContext,
  wire: SignalWire,
): Promise<never> {
  let peer: RemotePeer | null = null;
  try {
    const wrtc = await loadWrtc('answer');
    const p = (peer = openRemotePeer(wrtc, ctx, {
      role: 'answerer',
      config: request.config,
      keep: request.keep,
      send: (signal) => wire.send(signal),
      noCandidate: (errors) => noCandidateWords('joiner', request.planned, errors),
    }));
    wire.onSignal((signal) => p.handle(signal));
    answerMeasurements(p);
    return await Promise.race([
      p.candidatesReady.then(
        () => new Promise<never>(() => {}),
        (error: unknown) => {
          throw classifyError(error, 'ice');
        },
      ),
      p.failed.catch((error: unknown) => {
        throw classifyError(error, 'connect');
      }),
      new Promise<never>((_resolve, reject) => {
        const ended = () => reject(new ProbeFailure('aborted', 'result', 'the session ended'));
        if (ctx.signal.aborted) ended();
        else ctx.signal.addEventListener('abort', ended, { once: true });
      }),
    ]);
  } catch (error) {
    const failure = classifyError(error, 'answer');
    throw new ProbeFailure(failure.errorClass, failure.stage, failure.message, {
      ...failure.metrics,
      ...(peer ? candidateMetrics(peer, 'joiner') : {}),
    });
  } finally {
    ctx.resources.releaseAll();
  }
}
