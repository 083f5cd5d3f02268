import type { Timeouts } from '../../contract';
import { classifyError } from './classify';
import { openGunSession } from './signaling/gun-session';
import { openPeerJsSession } from './signaling/peerjs-session';
import type { SessionTransport } from './signaling/session-transport';
import {
  ProbeFailure,
  type Metrics,
  type Probe,
  type ProbeContext,
  type ProbeSuccess,
  type ResolvedTarget,
} from './types';
import { createPeerPair, type PeerPair } from './webrtc/peer-pair';
import { answerPings, ECHO_MS, median, pingRtts, stageWait } from './webrtc/session-steps';
import { loadWrtc, round } from './webrtc/wrtc';

type SignalingTarget = Extract<ResolvedTarget, { kind: 'gun' | 'peerjs' }>;

const PINGS = 5;
const SERVER_NAME = { gun: 'the GUN relay', peerjs: 'the PeerJS server' } as const;

/**
 * SignaledSessionProbe: the seed app's own session. Two peers in this process, each with its own
 * signaling client; the offer, the answer and every trickled candidate cross the GUN relay or the
 * PeerJS server (tagged with the correlation id), then ICE connects and a data channel echoes.
 * Host candidates only and no ICE server: this tests the signaling path, not NAT traversal.
 */
export const signaledSessionProbe: Probe<SignalingTarget> = {
  name: 'signaled-session',
  kinds: ['gun', 'peerjs'],
  deadlineMs: (t: Timeouts) =>
    t.connectMs + t.offerMs + t.answerMs + t.iceGatheringMs + t.connectMs + ECHO_MS,
  // two signaling clients connect, the offer, answer and candidates each cross the server, then the
  // session's own handshakes: the longest probe on a real network
  expectedMs: 500,
  usesWebRtc: true,
  // a session signaled through a relay that does not relay a message cannot get an answer
  needs: (target) => (target.kind === 'gun' ? 'gun-signaling' : 'peerjs-signaling'),
  run: runSignaledSession,
};

async function runSignaledSession(target: SignalingTarget, ctx: ProbeContext): Promise<ProbeSuccess> {
  const metrics: Metrics = { via: target.kind };
  const { connectMs, offerMs, answerMs, iceGatheringMs } = ctx.timeouts;
  let stage = 'signaling-connect';
  let transport: SessionTransport | undefined;
  let pair: PeerPair | undefined;
  try {
    ctx.stage(stage);
    const started = performance.now();
    transport = await stageWait(
      ctx,
      stage,
      connectMs,
      openTransport(target, ctx, stage, connectMs),
      () =>
        new ProbeFailure(
          'timeout',
          'signaling-connect',
          `${SERVER_NAME[target.kind]} did not let both signaling clients connect within ${connectMs} ms`,
        ),
    );
    metrics.signalingConnectMs = round(performance.now() - started);
    ctx.emit('signal.server.connected', { via: transport.via, connectMs: metrics.signalingConnectMs });

    stage = 'offer';
    ctx.stage(stage);
    const wrtc = await loadWrtc(stage);
    const sessionStarted = performance.now();
    pair = await createPeerPair(wrtc, ctx, {
      config: { iceServers: [] },
      keep: 'host',
      transport,
      noCandidate: (side) =>
        new ProbeFailure(
          'internal',
          'ice',
          `peer ${side.name}: this machine offered no usable host candidate`,
        ),
    });
    const p = pair;
    const t = transport;
    const wait = <T>(name: string, ms: number, work: Promise<T>, onTimeout?: () => ProbeFailure) => {
      stage = name;
      // a peer or signaling failure is reported at the stage it interrupted
      const failed = Promise.race([p.failed, t.failed]).catch((error: unknown) => {
        throw error instanceof ProbeFailure ? new ProbeFailure(error.errorClass, name, error.message) : error;
      });
      return stageWait(ctx, name, ms, Promise.race([work, failed]), onTimeout);
    };
    const silent = (what: string, within: number) =>
      t.counts.garbage > 0
        ? new ProbeFailure(
            'malformed-reply',
            stage,
            `${t.serverName} accepted both clients but answered ${t.counts.garbage} frames that are not signaling messages instead of passing the ${what}`,
          )
        : new ProbeFailure(
            'timeout',
            stage,
            `${t.serverName} accepted both clients but did not pass the ${what} within ${within} ms`,
          );

    await wait('offer', offerMs, p.offered, () => {
      ctx.emit('signal.offer.timeout', { via: t.via, afterMs: offerMs });
      return silent('offer from peer A to peer B', offerMs);
    });
    await wait('answer', answerMs, p.answered, () => {
      ctx.emit('signal.answer.timeout', { via: t.via, afterMs: answerMs });
      return silent('answer from peer B back to peer A', answerMs);
    });
    metrics.offerToAnswerMs = round(performance.now() - (p.offerSentAt ?? sessionStarted));
    await wait('ice', iceGatheringMs, p.candidatesReady, () => {
      const side = p.a.kept === 0 ? p.a : p.b;
      return new ProbeFailure(
        'timeout',
        'ice',
        `peer ${side.name} gathered no host candidate within ${iceGatheringMs} ms`,
      );
    });
    await wait('connect', connectMs, p.connected, () =>
      t.counts.relayed > 2
        ? new ProbeFailure(
            'unreachable',
            'connect',
            `the offer, answer and candidates crossed ${t.serverName}, but ICE did not connect the two local peers within ${connectMs} ms`,
          )
        : new ProbeFailure(
            'timeout',
            'connect',
            `${t.serverName} passed the offer and answer but no ICE candidates; the peers did not connect within ${connectMs} ms`,
          ),
    );
    metrics.timeToConnectMs = round(performance.now() - sessionStarted);
    ctx.emit('peer.connected', { via: t.via });

    metrics.echoRttP50Ms = await wait('echo', ECHO_MS, echoRttP50(p));
    ctx.emit('peer.echo.completed', { via: t.via, rttMsP50: metrics.echoRttP50Ms });
    return { stage: 'echo', metrics: { ...metrics, ...transportMetrics(transport) } };
  } catch (error) {
    const failure = classifyError(error, stage);
    // Node's words ("the server refused…") do not say which server: the session has two kinds
    const message =
      failure.stage === 'signaling-connect' && ['refused', 'unreachable', 'dns'].includes(failure.errorClass)
        ? `${SERVER_NAME[target.kind]} at ${target.url} is unreachable: ${failure.message}`
        : failure.message;
    throw new ProbeFailure(failure.errorClass, failure.stage, message, {
      ...failure.metrics,
      ...metrics,
      ...(transport ? transportMetrics(transport) : {}),
    });
  } finally {
    ctx.resources.releaseAll();
    if (transport) ctx.emit('signal.teardown.success', { via: transport.via });
  }
}

function openTransport(
  target: SignalingTarget,
  ctx: ProbeContext,
  stage: string,
  timeoutMs: number,
): Promise<SessionTransport> {
  return target.kind === 'gun'
    ? openGunSession(ctx, target, stage, timeoutMs)
    : openPeerJsSession(ctx, target, target.key ?? 'peerjs', stage, timeoutMs);
}

function transportMetrics(transport: SessionTransport): Metrics {
  return { signalsSent: transport.counts.sent, signalsRelayed: transport.counts.relayed };
}

/** A few sequential pings from A echoed by B over the data channel; the median round trip. */
async function echoRttP50(pair: PeerPair): Promise<number> {
  answerPings(pair);
  return round(median(await pingRtts(pair, PINGS)));
}
