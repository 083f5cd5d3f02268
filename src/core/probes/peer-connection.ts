import { randomBytes } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import type { Timeouts } from '../../contract';
import { classifyError } from './classify';
import { resolveHost } from './resolve';
import { StunClient } from './stun/client';
import { encodeMessage, mappedAddress, MessageType } from './stun/message';
import { iceServerFor, udpStun } from './ice-gathering';
import {
  ProbeFailure,
  ProbeNotApplicable,
  type MachineTarget,
  type Metrics,
  type Probe,
  type ProbeContext,
  type ProbeSuccess,
  type ResolvedTarget,
} from './types';
import { createPeerPair, type PeerPair, type SideState } from './webrtc/peer-pair';
import { selectedPair } from './webrtc/selected-pair';
import { echoBudgetMs, lossEcho, type EchoPlan } from './webrtc/loss-echo';
import {
  answerPings,
  ECHO_MS,
  echoWithin,
  median,
  rttFigures,
  safeSend,
  stageWait,
} from './webrtc/session-steps';

export { ECHO_MS };
import {
  decidingIceError,
  explainIceError,
  loadWrtc,
  round,
  type CandidateType,
  type PeerConnectionConfig,
  noRelayReason,
} from './webrtc/wrtc';

export type PeerPath = 'host' | 'srflx' | 'relay';

type StunTarget = Extract<ResolvedTarget, { kind: 'stun' }>;
type TurnTarget = Extract<ResolvedTarget, { kind: 'turn' }>;

const PINGS = 5;
/**
 * The quality echo (webrtc/loss-echo.ts), after the pings have proved the path: 100 messages, so loss
 * reads in 1 % steps against bounds of 1/3/8 % (contract/quality.ts), one every 2 ms (0.2 s of a
 * healthy session). An echo later than 1 s after the last message counts as lost: a real-time app
 * would have given up on it too.
 */
export const QUALITY_ECHO: EchoPlan = { count: 100, spacingMs: 2, graceMs: 1000, openMs: 1000 };
const QUALITY_MS = echoBudgetMs(QUALITY_ECHO);
/**
 * The throughput sample: 64 KiB in four 16 KiB messages, sent at once. It proves bulk data crosses the
 * path and gives a lower bound on its rate (a transfer this short is limited by SCTP's slow start on a
 * long path); it is not a bandwidth test. It stays well under libwebrtc's SCTP send buffer (256 KiB):
 * a 256 KiB sample, the buffer's size, stalled for 0.4–2 s in 5–40% of
 * samples on loopback, which measured libwebrtc, not the path; 64 KiB did not stall in 220 samples.
 */
export const THROUGHPUT_BYTES = 64 * 1024;
const CHUNK_BYTES = 16 * 1024;
/**
 * The bulk sample's own budget, after the echo. A path that connected and echoed works: on a lossy
 * network the sample may not finish, and then reports what it delivered instead of failing the path
 * (the network lab's 30% loss read as "only local connections succeed").
 */
export const THROUGHPUT_MS = 3000;

/** Reflexive-only sessions in one process need NAT hairpinning, which many routers lack. */
const HAIRPIN_CAVEAT = 'hairpin not supported (extra evidence only, not proof the network is broken)';

const deadlineMs = (t: Timeouts) =>
  t.offerMs + t.answerMs + t.iceGatheringMs + t.connectMs + ECHO_MS + QUALITY_MS + THROUGHPUT_MS + 1000;

/**
 * Through a server (relay, reflexive): gathering (libwebrtc starts its relay phase 50 ms in), TURN
 * permissions, ICE checks, then the DTLS and SCTP handshakes, the echo and the throughput sample:
 * about ten round trips. Host only: the same handshakes with no network in between. Both plus the
 * quality echo's pace.
 */
const EXPECTED_THROUGH_SERVER_MS = 400 + QUALITY_ECHO.count * QUALITY_ECHO.spacingMs;
const EXPECTED_HOST_MS = 100 + QUALITY_ECHO.count * QUALITY_ECHO.spacingMs;

/**
 * PeerConnectionProbe, host path (L0, "local"): two peers in this process over host candidates
 * only, no ICE server. Proves this machine's WebRTC stack works at all.
 */
export const peerConnectionHostProbe: Probe<MachineTarget> = {
  name: 'peer-connection',
  kinds: ['machine'],
  deadlineMs,
  expectedMs: EXPECTED_HOST_MS,
  usesWebRtc: true,
  run: (_target, ctx) => runPeerConnection('host', { iceServers: [] }, ctx),
};

/** Relay path (L4): both peers with `iceTransportPolicy: 'relay'` through this TURN server. */
export const peerConnectionRelayProbe: Probe<TurnTarget> = {
  name: 'peer-connection',
  kinds: ['turn'],
  deadlineMs,
  expectedMs: EXPECTED_THROUGH_SERVER_MS,
  usesWebRtc: true,
  needs: () => 'turn-allocation',
  run: (target, ctx) =>
    runPeerConnection('relay', { iceServers: [iceServerFor(target)], iceTransportPolicy: 'relay' }, ctx),
};

/** Reflexive path (L4, extra evidence): only srflx candidates from this STUN server cross over. */
export const peerConnectionSrflxProbe: Probe<StunTarget> = {
  name: 'peer-connection',
  kinds: ['stun'],
  // UDP STUN only (libwebrtc's srflx gathering), and not the embedded lab: on loopback there is no
  // NAT, so the reflexive address equals the host one and libwebrtc drops it: nothing to prove
  appliesTo: (target) => target.layer !== 'L1' && udpStun(target),
  deadlineMs,
  expectedMs: EXPECTED_THROUGH_SERVER_MS,
  usesWebRtc: true,
  needs: () => 'stun-binding',
  run: async (target, ctx) => {
    const local = await reflexiveAddressIsLocal(target, ctx);
    if (local) {
      throw new ProbeNotApplicable(
        `no NAT between this machine and ${target.url}: the server sees this machine's own address (${local}), so there is no reflexive path to test`,
      );
    }
    return runPeerConnection('srflx', { iceServers: [iceServerFor(target)] }, ctx);
  },
};

/**
 * Asks the STUN server for this machine's reflexive address first: when it is one of this machine's
 * own addresses, libwebrtc drops the srflx candidate as a duplicate of a host one and the reflexive
 * path cannot be tested. Any failure here returns null: the session itself then reports it.
 */
async function reflexiveAddressIsLocal(target: StunTarget, ctx: ProbeContext): Promise<string | null> {
  const uri = target.parsed;
  if (uri.transport !== 'udp') return null;
  const scope = ctx.resources;
  try {
    ctx.stage('reflexive-check');
    const resolved = await resolveHost(uri.host, ctx.lookup, 'reflexive-check');
    const client = await StunClient.open(ctx, {
      transport: 'udp',
      family: resolved.family,
      server: { address: resolved.address, port: uri.port },
      connected: true,
    });
    const transactionId = randomBytes(12);
    const reply = await client.request(
      encodeMessage(MessageType.BindingRequest, transactionId),
      transactionId,
      {
        timeoutMs: ctx.timeouts.stunMs,
        stage: 'reflexive-check',
      },
    );
    const mapped = mappedAddress(reply.message);
    const own = Object.values(networkInterfaces())
      .flat()
      .map((info) => info?.address);
    return mapped && own.includes(mapped.address) ? mapped.address : null;
  } catch (error) {
    if (error instanceof ProbeFailure && error.errorClass === 'aborted') throw error;
    return null;
  } finally {
    // the check's socket and timers go now, not at the end of the attempt
    scope.releaseAll();
  }
}

/** All three paths; they share the probe name and tell themselves apart by `metrics.path`. */
export const peerConnectionProbes = [
  peerConnectionHostProbe,
  peerConnectionRelayProbe,
  peerConnectionSrflxProbe,
] as const;

const KEEP: Record<PeerPath, CandidateType> = { host: 'host', srflx: 'srflx', relay: 'relay' };

async function runPeerConnection(
  path: PeerPath,
  config: PeerConnectionConfig,
  ctx: ProbeContext,
): Promise<ProbeSuccess> {
  const metrics: Metrics = { path };
  const started = performance.now();
  let stage = 'offer';
  let pair: PeerPair | undefined;
  try {
    ctx.stage(stage);
    const wrtc = await loadWrtc(stage);
    pair = await createPeerPair(wrtc, ctx, {
      config,
      keep: KEEP[path],
      noCandidate: (side) => noCandidate(path, side),
    });
    const p = pair;
    const wait = <T>(name: string, ms: number, work: Promise<T>, onTimeout?: () => ProbeFailure) => {
      stage = name;
      // a peer failure (ICE failed, channel error) is reported at the stage it interrupted
      const failed = p.failed.catch((error: unknown) => {
        throw error instanceof ProbeFailure ? new ProbeFailure(error.errorClass, name, error.message) : error;
      });
      return stageWait(ctx, name, ms, Promise.race([work, failed]), onTimeout);
    };

    await wait('offer', ctx.timeouts.offerMs, p.offered);
    await wait('answer', ctx.timeouts.answerMs, p.answered, () => {
      ctx.emit('signal.answer.timeout', { afterMs: ctx.timeouts.answerMs });
      return new ProbeFailure('timeout', 'answer', `no answer within ${ctx.timeouts.answerMs} ms`);
    });
    await wait('ice', ctx.timeouts.iceGatheringMs, p.candidatesReady, () => noCandidateInTime(path, p, ctx));
    await wait('connect', ctx.timeouts.connectMs, p.connected, () => connectTimeout(path, ctx));
    metrics.timeToConnectMs = round(performance.now() - started);
    const selected = await selectedPair(p.a.pc);
    metrics.localCandidateType = selected.local;
    metrics.remoteCandidateType = selected.remote;
    metrics.iceRttMs = selected.rttMs;
    ctx.emit('peer.connected', { path, local: selected.local, remote: selected.remote });

    const bulk = receiveBulk(p);
    // the stage's deadline is a safety net: echoWithin ends at ECHO_MS with what it measured
    const rtts = await wait('echo', ECHO_MS + 500, echoWithin(ctx, p, PINGS, ECHO_MS));
    Object.assign(metrics, {
      echoPings: rtts.length,
      echoRttP50Ms: round(median(rtts)),
      echoRttMaxMs: round(rtts.at(-1) ?? 0),
    });
    // figures for contract/quality.ts; the window ends by itself, the stage's deadline is a safety net
    const echo = await wait('loss', QUALITY_MS + 500, lossEcho(ctx, p, QUALITY_ECHO));
    Object.assign(metrics, {
      ...rttFigures(echo.rttsInSendOrder),
      echoSent: echo.sent,
      echoReceived: echo.received,
      lossPct: echo.sent > 0 ? round(((echo.sent - echo.received) / echo.sent) * 100) : null,
    });
    // the sample's timer is released by the scope; the stage's own deadline is only a safety net
    const sampled = new Promise<boolean>((resolve) => {
      ctx.resources.timeout('throughput sample', THROUGHPUT_MS, () => resolve(false));
      void bulk.delivered.then(() => resolve(true));
    });
    const bulkStarted = performance.now();
    sendBulk(p);
    const complete = await wait('throughput', THROUGHPUT_MS + 500, sampled);
    const throughputMs = performance.now() - bulkStarted;
    Object.assign(metrics, {
      throughputBytes: bulk.received(),
      throughputMs: round(throughputMs),
      throughputKbps: Math.round((bulk.received() * 8) / Math.max(throughputMs, 0.001)),
      throughputComplete: complete,
    });
    ctx.emit('peer.echo.completed', {
      rttMsP50: metrics.rttMsP50,
      lossPct: metrics.lossPct,
      throughputKbps: metrics.throughputKbps,
      throughputComplete: complete,
    });
    return { stage: 'echo', metrics: { ...metrics, ...candidateMetrics(p) } };
  } catch (error) {
    const failure = classifyError(error, stage);
    const message =
      path === 'srflx' && failure.errorClass !== 'aborted' ? srflxMessage(failure) : failure.message;
    throw new ProbeFailure(failure.errorClass, failure.stage, message, {
      ...failure.metrics,
      ...metrics,
      ...(pair ? candidateMetrics(pair) : {}),
    });
  } finally {
    ctx.resources.releaseAll();
    if (pair) ctx.emit('signal.teardown.success', { path });
  }
}

function noCandidate(path: PeerPath, side: SideState): ProbeFailure {
  const error = decidingIceError(side.errors);
  const why = error ? `: ${explainIceError(error)}` : '';
  if (path === 'relay')
    return new ProbeFailure(
      error && error.errorCode !== 701 ? 'server-error' : 'unreachable',
      'ice',
      `the TURN server gave no relay candidate: ${noRelayReason(error)}`,
    );
  if (path === 'srflx')
    return new ProbeFailure(
      'unreachable',
      'ice',
      `peer ${side.name} got no server-reflexive candidate from the STUN server${why || ' (no NAT between this machine and the server, no answer, or libwebrtc dropped it)'}`,
    );
  return new ProbeFailure('internal', 'ice', `this machine offered no usable host candidate${why}`);
}

function noCandidateInTime(path: PeerPath, pair: PeerPair, ctx: ProbeContext): ProbeFailure {
  const side = pair.a.kept === 0 ? pair.a : pair.b;
  const base = noCandidate(path, side);
  return new ProbeFailure('timeout', 'ice', `${base.message} within ${ctx.timeouts.iceGatheringMs} ms`);
}

function connectTimeout(path: PeerPath, ctx: ProbeContext): ProbeFailure {
  const within = `within ${ctx.timeouts.connectMs} ms`;
  if (path === 'relay')
    return new ProbeFailure(
      'timeout',
      'connect',
      `the peers did not connect through the TURN relay ${within}`,
    );
  if (path === 'srflx')
    return new ProbeFailure(
      'timeout',
      'connect',
      `the peers did not connect over reflexive addresses ${within}`,
    );
  return new ProbeFailure(
    'timeout',
    'connect',
    `two local peers did not connect over host candidates ${within}`,
  );
}

function srflxMessage(failure: ProbeFailure): string {
  if (['connect', 'echo', 'loss', 'throughput'].includes(failure.stage))
    return `${HAIRPIN_CAVEAT}: ${failure.message}`;
  return `${failure.message} — reflexive-only session: extra evidence only, not proof the network is broken`;
}

function candidateMetrics(pair: PeerPair): Metrics {
  const count = (side: SideState, type: CandidateType) => side.gathered[type] ?? 0;
  // the error that decided, not the last one (the network lab saw 401 then 701 over TCP)
  const error = decidingIceError([...pair.a.errors, ...pair.b.errors]);
  return {
    hostCandidates: count(pair.a, 'host') + count(pair.b, 'host'),
    srflxCandidates: count(pair.a, 'srflx') + count(pair.b, 'srflx'),
    relayCandidates: count(pair.a, 'relay') + count(pair.b, 'relay'),
    candidatesKept: pair.a.kept + pair.b.kept,
    iceErrorCode: error?.errorCode ?? null,
    iceErrorText: error?.errorText ?? null,
  };
}

/** B echoes pings and counts everything else, the bulk sample A sends after the echo. */
function receiveBulk(pair: PeerPair): { received(): number; delivered: Promise<void> } {
  let received = 0;
  let done: () => void = () => {};
  const delivered = new Promise<void>((resolve) => {
    done = resolve;
  });
  answerPings(pair, (data) => {
    received += data.length;
    if (received >= THROUGHPUT_BYTES) done();
  });
  return { received: () => received, delivered };
}

function sendBulk(pair: PeerPair): void {
  const chunk = Buffer.alloc(CHUNK_BYTES, 0x42);
  for (let sent = 0; sent < THROUGHPUT_BYTES; sent += CHUNK_BYTES) safeSend(pair.a, chunk);
}
