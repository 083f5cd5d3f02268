import type { Timeouts } from '../../contract';
import {
  ProbeFailure,
  type Metrics,
  type Probe,
  type ProbeContext,
  type ProbeSuccess,
  type ResolvedTarget,
} from './types';
import {
  candidateType,
  decidingIceError,
  explainIceError,
  isFamilyMismatch,
  loadWrtc,
  round,
  type CandidateType,
  type IceCandidateErrorEvent,
} from './webrtc/wrtc';
import type { IceServer } from './webrtc/ice-server-check';

type IceServerTarget = Extract<ResolvedTarget, { kind: 'stun' | 'turn' }>;

/** The candidate type that proves the server works: a STUN server yields srflx, a TURN server relay. */
const EXPECTED: Record<IceServerTarget['kind'], CandidateType> = { stun: 'srflx', turn: 'relay' };

/**
 * IceGatheringProbe: one RTCPeerConnection with only this ICE server, a data channel, an offer, and
 * the candidates libwebrtc gathers until gathering completes or `iceGatheringMs` runs out: which
 * types arrive, how fast, and which never do. `icecandidateerror` explains a missing type (401 …).
 */
export const iceGatheringProbe: Probe<IceServerTarget> = {
  name: 'ice-gathering',
  kinds: ['stun', 'turn'],
  // libwebrtc gathers server-reflexive candidates over UDP only: a stun: URL over TCP/TLS gives none
  appliesTo: (target) => target.kind === 'turn' || udpStun(target),
  deadlineMs: (timeouts: Timeouts) => timeouts.iceGatheringMs,
  // libwebrtc steps through its gathering phases (UDP, relay, TCP) 50 ms apart: gathering completes
  // after ~100 ms even on loopback, plus the allocation's round trips
  expectedMs: 150,
  usesWebRtc: true,
  // gathering through a server that did not answer a Binding or an Allocate would only wait out its timeout
  needs: (target) => (target.kind === 'turn' ? 'turn-allocation' : 'stun-binding'),
  run: runIceGathering,
};

/** The ICE server entry for a target, with its credentials when it is a TURN server. */
export function iceServerFor(target: IceServerTarget): IceServer {
  return target.kind === 'turn'
    ? { urls: target.url, username: target.username, credential: target.credential }
    : { urls: target.url };
}

interface Gathering {
  counts: Record<'host' | 'srflx' | 'relay', number>;
  firstMs: Partial<Record<CandidateType, number>>;
  errors: IceCandidateErrorEvent[];
  complete: boolean;
}

async function runIceGathering(target: IceServerTarget, ctx: ProbeContext): Promise<ProbeSuccess> {
  ctx.stage('ice');
  const wrtc = await loadWrtc('ice');
  const expected = EXPECTED[target.kind];
  const gathering: Gathering = {
    counts: { host: 0, srflx: 0, relay: 0 },
    firstMs: {},
    errors: [],
    complete: false,
  };
  const started = performance.now();

  try {
    return await new Promise<ProbeSuccess>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: 'complete' | 'deadline') => {
        if (settled) return;
        settled = true;
        ctx.signal.removeEventListener('abort', onAbort);
        try {
          resolve(verdictOf(target, expected, gathering, outcome, ctx));
        } catch (error) {
          reject(error);
        }
      };
      const onAbort = () => {
        if (settled) return;
        settled = true;
        reject(new ProbeFailure('aborted', 'ice', 'cancelled', metricsOf(target, expected, gathering)));
      };
      if (ctx.signal.aborted) return onAbort();
      ctx.signal.addEventListener('abort', onAbort, { once: true });

      const pc = new wrtc.RTCPeerConnection({ iceServers: [iceServerFor(target)] });
      ctx.resources.register('peer-connection', `ice-gathering ${target.url}`, () => pc.close());
      // Listeners run on process.nextTick inside wrtc: one that throws would be an uncaught exception.
      pc.addEventListener('icecandidate', (event) => {
        if (settled) return;
        if (!event.candidate) {
          // wrtc may announce "complete" before gathering has begun: only an end after something counts
          const seen = Object.keys(gathering.firstMs).length > 0 || gathering.errors.length > 0;
          if (!seen) return;
          gathering.complete = true;
          settle('complete');
          return;
        }
        const type = candidateType(event.candidate.candidate);
        if (!type) return;
        if (type !== 'prflx') gathering.counts[type]++;
        if (gathering.firstMs[type] === undefined)
          gathering.firstMs[type] = round(performance.now() - started);
        ctx.emit('ice.candidate', { type });
      });
      pc.addEventListener('icecandidateerror', (event) => {
        if (settled || isFamilyMismatch(event)) return;
        gathering.errors.push(event);
      });
      const channel = pc.createDataChannel('rtc-triage-ice');
      ctx.resources.register('data-channel', `ice-gathering channel ${target.url}`, () => channel.close());
      ctx.resources.timeout('ice gathering deadline', ctx.timeouts.iceGatheringMs, () => settle('deadline'));

      ctx.emit('ice.gathering.started', { url: target.url, expected });
      pc.createOffer()
        .then((offer) => pc.setLocalDescription(offer))
        .catch((error: unknown) => {
          if (settled) return;
          settled = true;
          reject(
            new ProbeFailure(
              'internal',
              'ice',
              `could not start ICE gathering: ${error instanceof Error ? error.message : String(error)}`,
              metricsOf(target, expected, gathering),
            ),
          );
        });
    });
  } finally {
    ctx.resources.releaseAll();
  }
}

function metricsOf(target: IceServerTarget, expected: CandidateType, g: Gathering): Metrics {
  // the error that decided, not the last one (the network lab saw 401 then 701 over TCP)
  const error = decidingIceError(g.errors);
  return {
    serverKind: target.kind,
    expected,
    expectedArrived: (g.firstMs[expected] ?? null) !== null,
    hostCandidates: g.counts.host,
    srflxCandidates: g.counts.srflx,
    relayCandidates: g.counts.relay,
    firstHostMs: g.firstMs.host ?? null,
    firstSrflxMs: g.firstMs.srflx ?? null,
    firstRelayMs: g.firstMs.relay ?? null,
    gatheringComplete: g.complete,
    iceErrors: g.errors.length,
    iceErrorCode: error?.errorCode ?? null,
    iceErrorText: error?.errorText ?? null,
  };
}

function verdictOf(
  target: IceServerTarget,
  expected: CandidateType,
  g: Gathering,
  outcome: 'complete' | 'deadline',
  ctx: ProbeContext,
): ProbeSuccess {
  const metrics = metricsOf(target, expected, g);
  ctx.emit('ice.gathering.complete', {
    complete: g.complete,
    host: g.counts.host,
    srflx: g.counts.srflx,
    relay: g.counts.relay,
  });
  if (metrics.expectedArrived) return { stage: 'ice', metrics };

  const deciding = decidingIceError(g.errors);
  if (deciding && deciding.errorCode !== 701)
    throw new ProbeFailure('server-error', 'ice', explainIceError(deciding), metrics);
  const unreachable = deciding;
  if (unreachable) {
    const dns = /lookup/i.test(unreachable.errorText);
    throw new ProbeFailure(dns ? 'dns' : 'unreachable', 'ice', explainIceError(unreachable), metrics);
  }
  const server = target.kind === 'turn' ? 'TURN' : 'STUN';
  if (outcome === 'deadline') {
    throw new ProbeFailure(
      'timeout',
      'ice',
      `the ${server} server gave no ${expected} candidate within ${ctx.timeouts.iceGatheringMs} ms (no answer: server down, port closed or UDP blocked)`,
      metrics,
    );
  }
  if (target.kind === 'stun') {
    // libwebrtc drops a reflexive candidate equal to a host candidate: the server answered with this
    // machine's own address, so nothing translates addresses on the way (no NAT). The server works.
    return { stage: 'ice', metrics: { ...metrics, reflexiveEqualsHost: true } };
  }
  throw new ProbeFailure(
    'server-error',
    'ice',
    'the TURN server gave no relay candidate (check the credentials and that the server allows allocations)',
    metrics,
  );
}

/** True for a STUN/TURN target over UDP (the transport libwebrtc uses for `stun:` URLs). */
export function udpStun(target: ResolvedTarget): boolean {
  return (target.kind === 'stun' || target.kind === 'turn') && target.parsed.transport === 'udp';
}
