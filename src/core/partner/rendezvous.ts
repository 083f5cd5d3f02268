/**
 * How the two testers meet. The host waits on every configured signaling server at once (a joiner
 * may reach only some of them); the joiner asks them in turn, in config order, with the config's
 * timeouts and retry policy, and stops at the first that pairs it. The first joiner is accepted;
 * anyone after gets "used" (and "expired" once the code has run out), on every server.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { PartnerRendezvous } from '../../contract/partner';
import type { Outcome } from '../../contract';
import { ProbeFailure, type ProbeContext } from '../probes/types';
import { stageWait } from '../probes/webrtc/session-steps';
import type { LedgerScope } from '../ledger/ledger';
import { seal, unseal } from './code';
import { partnerAttempt, pause, RENDEZVOUS_PROBE, type PartnerEnv } from './env';
import { openGunTransport } from './gun-transport';
import { Inbox, Outbox, PartnerLink } from './link';
import type { Body, Frame } from './messages';
import { openPeerJsTransport } from './peerjs-transport';
import {
  CodeRejected,
  isStateful,
  meetingBase,
  NobodyWaiting,
  type MeetingState,
  type PartnerTransport,
  type SignalingTarget,
} from './transport';

export type JoinBody = Extract<Body, { t: 'join' }>;
export type WelcomeBody = Extract<Body, { t: 'welcome' }>;

/** A PeerJS server answers a message to an absent peer with EXPIRE after about 5 s (its expire_timeout). */
const PEERJS_EXPIRE_WAIT_MS = 8000;
/** A joiner treats a "waiting" record this far past its expiry as expired (the host's clock may differ). */
const EXPIRY_MARGIN_MS = 60_000;

const StateSchema = z.object({ state: z.enum(['waiting', 'used', 'expired']), expiresAt: z.number() });

function sealState(env: PartnerEnv, state: MeetingState, expiresAt: number): string {
  return seal(env.keys, JSON.stringify({ state, expiresAt }));
}

async function openTransport(
  env: PartnerEnv,
  ctx: ProbeContext,
  target: SignalingTarget,
  me: string,
): Promise<PartnerTransport> {
  ctx.stage('connect');
  return target.kind === 'gun'
    ? openGunTransport(ctx, target, meetingBase(env.keys), me, 'connect')
    : openPeerJsTransport(ctx, target, env.keys, me, 'connect');
}

function row(
  target: SignalingTarget,
  outcome: PartnerRendezvous['outcome'],
  durationMs: number,
  failure: ProbeFailure | null,
  message: string | null = failure?.message ?? null,
): PartnerRendezvous {
  return {
    targetId: target.id,
    kind: target.kind,
    url: target.url,
    outcome,
    errorClass: failure?.errorClass ?? null,
    message,
    durationMs: Math.round(durationMs),
  };
}

// ---------------------------------------------------------------------------------------------- host

export interface Paired {
  link: PartnerLink;
  join: JoinBody;
  transport: PartnerTransport;
}

export type MeetingOutcome = { paired: Paired } | { expired: true } | { unreachable: true };

export interface HostMeeting {
  /** The servers the host waits on. */
  readonly listening: readonly SignalingTarget[];
  /** A joiner was accepted, the code expired, or every server dropped the host. */
  readonly outcome: Promise<MeetingOutcome>;
}

/** Connects to every signaling server (each with retries); resolves once each is listening or given up. */
export async function openHostMeeting(
  env: PartnerEnv,
  servers: readonly SignalingTarget[],
  scope: LedgerScope,
  expiresAt: number,
): Promise<HostMeeting> {
  let paired: Paired | null = null;
  let expired = false;
  let settle: (outcome: MeetingOutcome) => void = () => {};
  const outcome = new Promise<MeetingOutcome>((resolve) => {
    settle = resolve;
  });
  const transports: PartnerTransport[] = [];

  const listen = async (target: SignalingTarget): Promise<PartnerTransport | null> => {
    for (let n = 1; ; n++) {
      const serverScope = env.ledger.scope();
      // assigned inside the attempt: a holder, so the type stays honest after the callback
      const opened: { transport: PartnerTransport | null } = { transport: null };
      const started = performance.now();
      const { report } = await partnerAttempt(
        env,
        RENDEZVOUS_PROBE,
        target,
        env.timeouts.connectMs * 2 + 1000,
        async (ctx) => {
          const transport = (opened.transport = await openTransport(env, ctx, target, 'host'));
          if (isStateful(transport)) transport.writeState(sealState(env, 'waiting', expiresAt));
          return { stage: 'listening', metrics: { role: 'host', via: target.kind } };
        },
        serverScope,
      );
      if (report?.outcome === 'success' && opened.transport) {
        // the server scope now lives as long as the session
        scope.register('other', `partner listener ${target.id}`, () => serverScope.releaseAll());
        return opened.transport;
      }
      serverScope.releaseAll();
      const failure = new ProbeFailure(
        report?.errorClass ?? 'internal',
        report?.stage ?? 'connect',
        report?.errorMessage ?? 'failed',
      );
      const delay = env.retry.nextDelayMs(n, failure.errorClass);
      if (delay === null || env.signal.aborted) {
        env.rendezvous.push(row(target, rendezvousOutcome(report), performance.now() - started, failure));
        return null;
      }
      if (!(await pause(env, delay))) return null;
    }
  };

  const accept = (transport: PartnerTransport, outbox: Outbox, frame: Frame) => {
    if (paired && paired.transport === transport && frame.from === paired.link.peer) {
      paired.link.received(frame.body);
      return;
    }
    if (frame.body.t !== 'join' || frame.from === 'host') return;
    if (paired || expired) {
      outbox.send(frame.from, { t: 'refused', reason: paired ? 'used' : 'expired' });
      return;
    }
    const link = new PartnerLink(transport, outbox, frame.from, scope, { silenceMs: env.silenceMs });
    paired = { link, join: frame.body, transport };
    for (const other of transports)
      if (isStateful(other)) other.writeState(sealState(env, 'used', expiresAt));
    settle({ paired });
  };

  const listened = await Promise.all(servers.map((target) => listen(target)));
  const listening: SignalingTarget[] = [];
  listened.forEach((transport, i) => {
    if (!transport) return;
    transports.push(transport);
    listening.push(servers[i] as SignalingTarget);
    env.rendezvous.push(row(servers[i] as SignalingTarget, 'success', 0, null, 'listening'));
  });
  if (transports.length === 0) {
    settle({ unreachable: true });
    return { listening, outcome };
  }
  let dropped = 0;
  for (const transport of transports) {
    const outbox = new Outbox(transport, env.keys);
    new Inbox(transport, env.keys, (frame) => accept(transport, outbox, frame));
    transport.failed.catch(() => {
      if (++dropped === transports.length && !paired && !expired) settle({ unreachable: true });
    });
  }
  scope.timeout('partner code expiry', Math.max(0, expiresAt - Date.now()), () => {
    if (paired) return;
    expired = true;
    for (const transport of transports)
      if (isStateful(transport)) transport.writeState(sealState(env, 'expired', expiresAt));
    settle({ expired: true });
  });
  return { listening, outcome };
}

// ---------------------------------------------------------------------------------------------- join

export interface Joined {
  link: PartnerLink;
  welcome: WelcomeBody;
  via: SignalingTarget;
}

export type SearchOutcome =
  | { joined: Joined }
  | { rejected: 'not-found' | 'expired' | 'used'; message: string }
  | { unreachable: true; message: string };

/** Asks each signaling server in turn for the host behind the code. */
export async function findHost(
  env: PartnerEnv,
  servers: readonly SignalingTarget[],
  scope: LedgerScope,
  join: JoinBody,
  code: string,
): Promise<SearchOutcome> {
  const me = randomBytes(8).toString('hex');
  const sequences = new Map<string, number>();
  const asked: string[] = [];
  const broken: string[] = [];
  for (const target of servers) {
    for (let n = 1; ; n++) {
      if (env.signal.aborted) return { unreachable: true, message: 'cancelled' };
      const serverScope = env.ledger.scope();
      const found: { joined: Joined | null } = { joined: null };
      const started = performance.now();
      const outcome = await partnerAttempt(
        env,
        RENDEZVOUS_PROBE,
        target,
        // connect (PeerJS: the socket, then OPEN), read the meeting record, wait for the host's answer
        env.timeouts.connectMs * 2 + env.timeouts.answerMs * 2 + PEERJS_EXPIRE_WAIT_MS,
        async (ctx) => {
          found.joined = await knock(env, ctx, target, serverScope, me, join, sequences);
          return { stage: 'paired', metrics: { role: 'join', via: target.kind } };
        },
        serverScope,
      );
      const ms = performance.now() - started;
      const joined = found.joined;
      if (outcome.report?.outcome === 'success' && joined) {
        scope.register('other', `partner link ${target.id}`, () => serverScope.releaseAll());
        env.rendezvous.push(row(target, 'success', ms, null, 'paired'));
        return { joined };
      }
      serverScope.releaseAll();
      const error = outcome.error;
      if (error instanceof CodeRejected) {
        env.rendezvous.push(row(target, 'not-found', ms, null, error.reason));
        return { rejected: error.problem, message: error.reason };
      }
      if (error instanceof NobodyWaiting) {
        env.rendezvous.push(row(target, 'not-found', ms, null, error.reason));
        asked.push(target.url);
        break;
      }
      const report = outcome.report;
      const failure = new ProbeFailure(
        report?.errorClass ?? 'internal',
        report?.stage ?? 'connect',
        report?.errorMessage ?? 'failed',
      );
      const delay = env.retry.nextDelayMs(n, failure.errorClass);
      if (delay === null || env.signal.aborted) {
        env.rendezvous.push(row(target, rendezvousOutcome(report), ms, failure));
        broken.push(`${target.url} (${failure.message})`);
        break;
      }
      if (!(await pause(env, delay))) return { unreachable: true, message: 'cancelled' };
    }
  }
  if (asked.length === 0) {
    return {
      unreachable: true,
      message: `no signaling server could be asked for code ${code}: ${broken.join('; ')}`,
    };
  }
  return {
    rejected: 'not-found',
    message: `no tester is waiting for code ${code} (asked ${asked.join(' and ')}${broken.length ? `; could not ask ${broken.join('; ')}` : ''}): check the code for typos, or ask your partner for a new one — a code works once and expires after 10 minutes`,
  };
}

/** One try on one server: read the meeting's state (GUN), say `join`, wait for the host's answer. */
async function knock(
  env: PartnerEnv,
  ctx: ProbeContext,
  target: SignalingTarget,
  serverScope: LedgerScope,
  me: string,
  join: JoinBody,
  sequences: Map<string, number>,
): Promise<Joined> {
  const transport = await openTransport(env, ctx, target, me);
  const server = target.kind === 'gun' ? `the GUN relay ${target.url}` : `the PeerJS server ${target.url}`;
  if (isStateful(transport)) {
    ctx.stage('lookup');
    const sealed = await transport.readState(env.timeouts.answerMs);
    if (sealed === null) throw new NobodyWaiting(`${server} has no tester waiting for this code`);
    const text = unseal(env.keys, sealed);
    const parsed = text === null ? null : StateSchema.safeParse(JSON.parse(text));
    if (!parsed?.success) throw new NobodyWaiting(`${server} has no tester waiting for this code`);
    const state = parsed.data;
    if (state.state === 'used') throw usedCode();
    if (state.state === 'expired' || state.expiresAt + EXPIRY_MARGIN_MS < Date.now())
      throw expiredCode(state.expiresAt);
  }

  let answer: (value: Body | 'gone') => void = () => {};
  const answered = new Promise<Body | 'gone'>((resolve) => {
    answer = resolve;
  });
  let link: PartnerLink | null = null;
  const outbox = new Outbox(transport, env.keys, sequences);
  new Inbox(transport, env.keys, (frame) => {
    if (frame.from !== 'host') return;
    if (link) return link.received(frame.body);
    if (frame.body.t === 'welcome') {
      // the link exists before the next frame is delivered: the host talks right after `welcome`
      link = new PartnerLink(transport, outbox, 'host', serverScope, { silenceMs: env.silenceMs });
    }
    answer(frame.body);
  });
  transport.onPeerGone((via) => {
    if (!link && via === transport.addressOf('host')) answer('gone');
  });
  outbox.send('host', join);
  ctx.emit('partner.join.sent', { via: target.kind });
  const waitMs =
    target.kind === 'peerjs' ? Math.max(env.timeouts.answerMs, PEERJS_EXPIRE_WAIT_MS) : env.timeouts.answerMs;
  const reply = await stageWait(
    ctx,
    'join',
    waitMs,
    Promise.race([answered, transport.failed]),
    () =>
      new ProbeFailure(
        'timeout',
        'join',
        isStateful(transport)
          ? `a tester was waiting for this code on ${server} but did not answer within ${waitMs} ms: it may have been closed`
          : `${server} passed the request on, but nobody answered within ${waitMs} ms`,
      ),
  );
  if (reply === 'gone') throw new NobodyWaiting(`${server} has no tester waiting for this code`);
  if (reply.t === 'refused') throw reply.reason === 'used' ? usedCode() : expiredCode(null);
  if (reply.t !== 'welcome' || !link)
    throw new ProbeFailure(
      'malformed-reply',
      'join',
      `the tester behind this code answered something unexpected (${reply.t})`,
    );
  return { link, welcome: reply, via: target };
}

function usedCode(): CodeRejected {
  return new CodeRejected(
    'used',
    'this code has already been used: a partner test runs once per code. Ask your partner to start a new one (rtc-triage partner --host) and read you the new code',
  );
}

function expiredCode(expiresAt: number | null): CodeRejected {
  const when = expiresAt === null ? '' : ` at ${new Date(expiresAt).toISOString()}`;
  return new CodeRejected(
    'expired',
    `this code has expired${when}: codes last 10 minutes. Ask your partner to start a new one (rtc-triage partner --host) and read you the new code`,
  );
}

/** A rendezvous attempt is never skipped (it has no prerequisite); anything unknown reads as an error. */
function rendezvousOutcome(report: { outcome: Outcome } | null | undefined): Exclude<Outcome, 'skipped'> {
  return report && report.outcome !== 'skipped' ? report.outcome : 'error';
}
