/**
 * The host's side of a paired test: runs the plan one session at a time, offering, measuring, and
 * telling the joiner each row of the shared table. A joiner that fails on its end says so
 * (`path-abort`), and the row carries its words.
 */
import type { PartnerPath } from '../../contract/partner';
import { classifyError } from '../probes/classify';
import { ProbeFailure, type Metrics, type ProbeContext } from '../probes/types';
import { emitPartner, PARTNER_TARGET, partnerAttempt, SESSION_PROBE, type PartnerEnv } from './env';
import { HEARTBEAT_MS, type PartnerLink } from './link';
import { MEASURE_MS } from './measure';
import type { PeerSignal, PlannedPath } from './messages';
import type { NatPresence } from './nat-check';
import { joinerFailure } from './path-abort';
import { notRunRow, pathBudgetMs, rowFromAttempt, skippedRow } from './path-row';
import { pathSetup } from './plan';
import { openSessionPeer, type SessionPeer } from './session-peer';

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

export async function runHostSession(
  env: PartnerEnv,
  link: PartnerLink,
  plan: readonly PlannedPath[],
  nat: NatPresence,
): Promise<SessionOutcome> {
  let current: {
    index: number;
    peer: SessionPeer | null;
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
      current.abort(joinerFailure(body));
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
  current: { peer: SessionPeer | null; buffered: PeerSignal[] },
  partnerAborted: Promise<never>,
) {
  const metrics: Metrics = { path: planned.path, ...(planned.server ? { server: planned.server } : {}) };
  let stage = 'offer';
  const tracked: ProbeContext = {
    ...ctx,
    stage: (name) => {
      stage = name;
      ctx.stage(name);
    },
  };
  let peer: SessionPeer | null = null;
  try {
    const p = (peer = openSessionPeer(
      env.placePeerSide,
      tracked,
      { role: 'offerer', planned, config: setup.config, keep: setup.keep },
      (signal) => link.send({ t: 'signal', index: planned.index, signal }),
    ));
    current.peer = p;
    for (const signal of current.buffered.splice(0)) p.handle(signal);
    const lost = link.lost.catch((error: unknown) => {
      const failure = classifyError(error, stage);
      throw new ProbeFailure('aborted', stage, failure.message, { ...failure.metrics, partnerLost: true });
    });
    const result = await Promise.race([p.done, lost, partnerAborted]);
    peer = null;
    return { stage: result.stage, metrics: { ...metrics, ...result.metrics } };
  } catch (error) {
    // the side's own failure carries what it gathered; one ended from here (the partner) is stopped first
    const had = peer ? await peer.stop() : {};
    peer = null;
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
      ...had,
      ...failure.metrics,
      ...metrics,
    });
  } finally {
    if (peer) await peer.stop();
    ctx.resources.releaseAll();
  }
}
