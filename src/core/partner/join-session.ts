/**
 * The joiner's side of a paired test: answers each session the host starts, echoes its
 * measurements, tells the host when something fails on this end, and records each attempt as the
 * host's row says, so both histories and both screens show the same table.
 */
import type { PartnerPath } from '../../contract/partner';
import { classifyError } from '../probes/classify';
import { ProbeFailure, type ProbeContext } from '../probes/types';
import { stageWait } from '../probes/webrtc/session-steps';
import { emitPartner, PARTNER_TARGET, partnerAttempt, SESSION_PROBE, type PartnerEnv } from './env';
import { lostAt, type SessionOutcome } from './host-session';
import type { PartnerLink } from './link';
import { MEASURE_MS } from './measure';
import type { PeerSignal, PlannedPath } from './messages';
import type { NatPresence } from './nat-check';
import { pathAbort } from './path-abort';
import { notRunRow, pathBudgetMs, settleAsRow } from './path-row';
import { pathSetup } from './plan';
import { openSessionPeer, type SessionPeer } from './session-peer';
import type { WelcomeBody } from './rendezvous';

/** Beyond the host's own budget: its row still has to cross the signaling server. */
const RESULT_MARGIN_MS = 5000;

interface Current {
  index: number;
  peer: SessionPeer | null;
  buffered: PeerSignal[];
  result: (row: PartnerPath) => void;
}

export async function runJoinSession(
  env: PartnerEnv,
  link: PartnerLink,
  welcome: WelcomeBody,
  nat: NatPresence,
): Promise<SessionOutcome> {
  const rows = new Map<number, PartnerPath>();
  const starts: number[] = [];
  // signals that arrive before this side has started their session (the previous one may still be closing)
  const early = new Map<number, PeerSignal[]>();
  let current: Current | null = null;
  let wake: () => void = () => {};
  let done = false;
  link.on((body) => {
    if (body.t === 'path-start') starts.push(body.index);
    else if (body.t === 'signal') {
      if (current?.index !== body.index)
        early.set(body.index, [...(early.get(body.index) ?? []), body.signal]);
      else if (current.peer) current.peer.handle(body.signal);
      else current.buffered.push(body.signal);
    } else if (body.t === 'path-result') {
      rows.set(body.path.index, body.path);
      emitPartner(env, 'partner.path.finished', { path: body.path });
      if (current?.index === body.path.index) current.result(body.path);
    } else if (body.t === 'done') done = true;
    wake();
  });

  let stopped: ProbeFailure | null = null;
  const lost = link.lost.catch((error: unknown) => {
    stopped = classifyError(error, 'partner');
  });
  while (!done && !stopped && !env.signal.aborted) {
    const index = starts.shift();
    if (index === undefined) {
      await Promise.race([new Promise<void>((resolve) => (wake = resolve)), lost]);
      continue;
    }
    const planned = welcome.plan.find((p) => p.index === index);
    if (!planned) continue;
    const target = planned.path === 'relay' ? turnTarget(env, planned) : PARTNER_TARGET;
    const { report } = await partnerAttempt(
      env,
      SESSION_PROBE,
      target,
      pathBudgetMs(env.timeouts, MEASURE_MS) + RESULT_MARGIN_MS,
      async (ctx) => {
        let result: (row: PartnerPath) => void = () => {};
        const reported = new Promise<PartnerPath>((resolve) => (result = resolve));
        const known = rows.get(index);
        if (known) result(known);
        current = { index, peer: null, buffered: early.get(index) ?? [], result };
        early.delete(index);
        try {
          return await answerPath(env, ctx, link, planned, nat, current, reported);
        } finally {
          current = null;
        }
      },
    );
    if (report?.metrics.partnerLost === true)
      stopped ??= new ProbeFailure('aborted', report.stage, report.errorMessage ?? 'the partner was lost');
  }
  if (done) link.send({ t: 'bye', reason: 'done' });
  const paths = welcome.plan.map(
    (planned) =>
      rows.get(planned.index) ??
      notRunRow(planned, env.signal.aborted ? 'cancelled' : 'the partner was lost before it ran'),
  );
  return { paths, stopped: done ? null : (stopped ?? new ProbeFailure('aborted', 'partner', 'cancelled')) };
}

function turnTarget(env: PartnerEnv, planned: PlannedPath): { id: string; url: string } {
  const turn = env.targets.find((t) => t.kind === 'turn' && t.url === planned.server);
  return { id: turn?.id ?? planned.server ?? 'turn', url: planned.server ?? '' };
}

async function answerPath(
  env: PartnerEnv,
  ctx: ProbeContext,
  link: PartnerLink,
  planned: PlannedPath,
  nat: NatPresence,
  current: Current,
  reported: Promise<PartnerPath>,
) {
  let told = false;
  const tell = (error: unknown, stage: string) => {
    if (told) return;
    told = true;
    link.send(pathAbort(planned.index, error, stage));
  };
  let peer: SessionPeer | null = null;
  try {
    ctx.stage('answer');
    const setup = pathSetup(planned, env.targets, nat);
    if ('missing' in setup) tell(new ProbeFailure('internal', 'offer', setup.missing), 'offer');
    else {
      // the answering side ends only when stopped (the row came) or when it fails on this end
      const p = (peer = openSessionPeer(
        env.placePeerSide,
        { ...ctx, stage: () => {} },
        { role: 'answerer', planned, config: setup.config, keep: setup.keep },
        (signal) => link.send({ t: 'signal', index: planned.index, signal }),
      ));
      current.peer = p;
      for (const signal of current.buffered.splice(0)) p.handle(signal);
      p.done.catch((error: unknown) => tell(error, 'connect'));
    }
    const budget = pathBudgetMs(env.timeouts, MEASURE_MS) + RESULT_MARGIN_MS;
    const row = await stageWait(
      ctx,
      'result',
      budget,
      Promise.race([reported, lostAt(link, 'result')]),
      () =>
        new ProbeFailure(
          'timeout',
          'result',
          `the host did not report this session's result within ${budget} ms`,
          {
            partnerLost: true,
          },
        ),
    );
    return settleAsRow(row);
  } finally {
    told = true;
    if (peer) await peer.stop();
    ctx.resources.releaseAll();
  }
}
