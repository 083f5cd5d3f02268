/**
 * The host's side of a paired test: runs the plan one session at a time, offering, measuring, and
 * telling the joiner each row of the shared table. A joiner that fails on its end says so
 * (`path-abort`), and the row carries its words.
 */
import type { PartnerPath } from '../../contract/partner';
import { classifyError } from '../probes/classify';
import { ProbeFailure, type Metrics, type ProbeContext } from '../probes/types';
import { stageWait } from '../probes/webrtc/session-steps';
import {
  explainIceError,
  loadWrtc,
  noRelayReason,
  round,
  type IceCandidateErrorEvent,
} from '../probes/webrtc/wrtc';
import { emitPartner, PARTNER_TARGET, partnerAttempt, SESSION_PROBE, type PartnerEnv } from './env';
import { HEARTBEAT_MS, type PartnerLink } from './link';
import { measure, MEASURE_MS } from './measure';
import type { PeerSignal, PlannedPath } from './messages';
import type { NatPresence } from './nat-check';
import { notRunRow, pathBudgetMs, rowFromAttempt, skippedRow } from './path-row';
import { pathSetup } from './plan';
import { openRemotePeer, type RemotePeer } from './remote-peer';
import { sameNetwork, selectedPair } from './selected-pair';

export interface SessionOutcome {
  paths: PartnerPath[];
  /** Why the test stopped before the end (the partner left, or this side was cancelled). */
  stopped: ProbeFailure | null;
}

/** A partner failure while waiting at `stage`, reported there as aborted (the partner left, nothing was proven). */
export function lostAt(link: PartnerLink, stage: string): Promise<never> {
  return link.lost.catch((error: unknown) => {
    const failure = classifyError(error, stage);
    throw new ProbeFailure('aborted', stage, failure.message, { ...failure.metrics, partnerLost: true });
  });
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

export async function runHostSession(
  env: PartnerEnv,
  link: PartnerLink,
  plan: readonly PlannedPath[],
  nat: NatPresence,
): Promise<SessionOutcome> {
  let current: {
    index: number;
    peer: RemotePeer | null;
    buffered: PeerSignal[];
    abort: (failure: ProbeFailure) => void;
  } | null = null;
  let bye: () => void = () => {};
  const byeReceived = new Promise<void>((resolve) => {
    bye = resolve;
  });
  link.on((body) => {
    if (body.t === 'signal' && current?.index === body.index) {
      if (current.peer) current.peer.handle(body.signal);
      else current.buffered.push(body.signal);
    } else if (body.t === 'path-abort' && current?.index === body.index) {
      current.abort(new ProbeFailure(body.errorClass, body.stage, body.message));
    } else if (body.t === 'bye') bye();
  });

  const paths: PartnerPath[] = [];
  let stopped: ProbeFailure | null = null;
  for (const planned of plan) {
    if (stopped) {
      paths.push(
        notRunRow(
          planned,
          stopped.errorClass === 'aborted' && env.signal.aborted ? 'cancelled' : 'the partner was lost',
        ),
      );
      continue;
    }
    const setup = planned.skip === null ? pathSetup(planned, env.targets, nat) : { missing: planned.skip };
    if ('missing' in setup) {
      const row = skippedRow(planned, setup.missing);
      paths.push(row);
      link.send({ t: 'path-result', path: row });
      emitPartner(env, 'partner.path.finished', { path: row });
      continue;
    }
    link.send({ t: 'path-start', index: planned.index });
    const target = planned.path === 'relay' ? turnTarget(env, planned) : PARTNER_TARGET;
    const { report } = await partnerAttempt(
      env,
      SESSION_PROBE,
      target,
      // a failed session waits for a sign of life before it blames the network
      pathBudgetMs(env.timeouts, MEASURE_MS) + env.silenceMs + HEARTBEAT_MS,
      async (ctx) => {
        let partnerAbort: (failure: ProbeFailure) => void = () => {};
        const aborted = new Promise<never>((_resolve, reject) => {
          partnerAbort = reject;
        });
        aborted.catch(() => {});
        current = { index: planned.index, peer: null, buffered: [], abort: partnerAbort };
        try {
          return await offerAndMeasure(env, ctx, link, planned, setup, current, aborted);
        } finally {
          current = null;
        }
      },
    );
    if (!report) continue;
    const row = rowFromAttempt(planned, report);
    paths.push(row);
    emitPartner(env, 'partner.path.finished', { path: row });
    if (report.metrics.partnerLost === true || env.signal.aborted) {
      stopped = new ProbeFailure('aborted', report.stage, report.errorMessage ?? 'stopped');
      continue;
    }
    link.send({ t: 'path-result', path: row });
  }
  if (!stopped) {
    link.send({ t: 'done' });
    // the joiner's goodbye, briefly: its absence changes nothing, the table is complete
    const wait = env.ledger.scope();
    await Promise.race([
      byeReceived,
      link.lost.catch(() => {}),
      new Promise<void>((resolve) => wait.timeout('partner goodbye wait', env.timeouts.answerMs, resolve)),
    ]);
    wait.releaseAll();
  }
  return { paths, stopped };
}

function turnTarget(env: PartnerEnv, planned: PlannedPath): { id: string; url: string } {
  const turn = env.targets.find((t) => t.kind === 'turn' && t.url === planned.server);
  return { id: turn?.id ?? planned.server ?? 'turn', url: planned.server ?? '' };
}

async function offerAndMeasure(
  env: PartnerEnv,
  ctx: ProbeContext,
  link: PartnerLink,
  planned: PlannedPath,
  setup: Exclude<ReturnType<typeof pathSetup>, { missing: string }>,
  current: { peer: RemotePeer | null; buffered: PeerSignal[] },
  partnerAborted: Promise<never>,
) {
  const metrics: Metrics = { path: planned.path, ...(planned.server ? { server: planned.server } : {}) };
  const { offerMs, answerMs, iceGatheringMs, connectMs } = env.timeouts;
  let stage = 'offer';
  let peer: RemotePeer | null = null;
  try {
    ctx.stage(stage);
    const started = performance.now();
    const wrtc = await loadWrtc(stage);
    const p = (peer = openRemotePeer(wrtc, ctx, {
      role: 'offerer',
      config: setup.config,
      keep: setup.keep,
      send: (signal) => link.send({ t: 'signal', index: planned.index, signal }),
      noCandidate: (errors) => noCandidateWords('host', planned, errors),
    }));
    current.peer = p;
    for (const signal of current.buffered.splice(0)) p.handle(signal);
    const wait = <T>(name: string, ms: number, work: Promise<T>, onTimeout?: () => ProbeFailure) => {
      stage = name;
      const failed = Promise.race([
        p.failed.catch((error: unknown) => {
          const failure = classifyError(error, name);
          throw new ProbeFailure(failure.errorClass, name, `host: ${failure.message}`);
        }),
        lostAt(link, name),
        partnerAborted,
      ]);
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
    let failure = classifyError(error, stage);
    if (failure.errorClass !== 'aborted' && !(await link.confirmAlive()))
      failure = new ProbeFailure(
        'aborted',
        failure.stage,
        `the partner was lost during this session (${failure.message})`,
        {
          partnerLost: true,
        },
      );
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
