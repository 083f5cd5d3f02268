import { randomBytes } from 'node:crypto';
import type { Timeouts } from '../../contract';
import { resolveHost } from './resolve';
import { StunClient, type StunReply } from './stun/client';
import {
  Attr,
  errorCode,
  encodeMessage,
  integrityValid,
  longTermKey,
  mappedAddress,
  messageClass,
  MessageType,
  stringAttribute,
  xorAddressAttribute,
  type StunAttribute,
} from './stun/message';
import { explainTurnError } from './turn-errors';
import {
  ProbeFailure,
  type Metrics,
  type Probe,
  type ProbeContext,
  type ProbeSuccess,
  type ResolvedTarget,
} from './types';

type TurnTarget = Extract<ResolvedTarget, { kind: 'turn' }>;

const UDP_PROTOCOL = 17;
const SOFTWARE = Buffer.from('rtc-triage');

/**
 * TurnAllocationProbe: Allocate a relay over the URL's transport (UDP, TCP or TLS) with long-term
 * credentials (401 challenge, then an authenticated request; one retry on 438 Stale Nonce), report
 * the relay address and allocation time, then release the allocation (Refresh, lifetime 0) so the
 * server is left as it was. Every TURN error is explained in plain words.
 */
export const turnAllocationProbe: Probe<TurnTarget> = {
  name: 'turn-allocation',
  kinds: ['turn'],
  // challenge + allocate (+ a stale-nonce retry) + refresh, each bounded by stunMs; up to 3× on 437
  deadlineMs: (timeouts: Timeouts) => timeouts.stunMs * 4 * MISMATCH_ROUNDS,
  run: runTurnAllocation,
};

async function runTurnAllocation(target: TurnTarget, ctx: ProbeContext) {
  const uri = target.parsed;
  ctx.stage('dns');
  const resolved = await resolveHost(uri.host, ctx.lookup, 'dns');
  return allocateRelay(target, ctx, uri, resolved);
}

/** The TURN credentials an allocation needs (a configured target has them). */
export type TurnCredentials = Pick<TurnTarget, 'id' | 'username' | 'credential'>;

/**
 * One allocation on a resolved address over a transport, released again: the allocation test's
 * core, also run for each cell of the transport matrix (transport-matrix.ts).
 */
export async function allocateRelay(
  target: TurnCredentials,
  ctx: ProbeContext,
  uri: { host: string; port: number; transport: 'udp' | 'tcp' | 'tls' },
  resolved: { address: string; family: 4 | 6 },
): Promise<ProbeSuccess> {
  for (let round = 1; ; round++) {
    try {
      return await allocateFrom(target, ctx, uri, resolved);
    } catch (error) {
      // 437: the server still holds an allocation for this 5-tuple (the OS reused a recently closed
      // local port). RFC 8656 §7.2: try again from another local address. Each earlier socket stays
      // open until the attempt ends, so the OS cannot hand out the same port again; a soak of 1,000
      // attempts once met two stale 5-tuples in a row, so up to MISMATCH_ROUNDS local addresses.
      if (!(error instanceof ProbeFailure) || error.metrics.errorCode !== 437 || round >= MISMATCH_ROUNDS)
        throw error;
      ctx.emit('turn.allocate.mismatch-retry', { round });
    }
  }
}

/** Local addresses an attempt tries when the server answers 437 Allocation Mismatch. */
const MISMATCH_ROUNDS = 3;

async function allocateFrom(
  target: TurnCredentials,
  ctx: ProbeContext,
  uri: { host: string; port: number; transport: 'udp' | 'tcp' | 'tls' },
  resolved: { address: string; family: 4 | 6 },
) {
  ctx.stage('connect');
  const client = await StunClient.open(ctx, {
    transport: uri.transport,
    family: resolved.family,
    server: { address: resolved.address, port: uri.port },
    servername: uri.host,
    connected: true,
  });
  const started = performance.now();
  // a client that reached the server over IPv6 asks for an IPv6 relay (RFC 6156 §4.1.1): without
  // REQUESTED-ADDRESS-FAMILY a server allocates IPv4, and one without an IPv4 relay answers 440
  const family = resolved.family === 6 ? 'IPv6' : 'IPv4';
  const base: Metrics = {
    transport: uri.transport,
    serverAddress: resolved.address,
    requestedFamily: family,
  };
  const timeoutMs = ctx.timeouts.stunMs;

  // 1. unauthenticated Allocate: a TURN server answers 401 with REALM and NONCE
  ctx.stage('challenge');
  const requested: StunAttribute[] = [
    { type: Attr.RequestedTransport, value: Buffer.from([UDP_PROTOCOL, 0, 0, 0]) },
    ...(family === 'IPv6'
      ? [{ type: Attr.RequestedAddressFamily, value: Buffer.from([0x02, 0, 0, 0]) }]
      : []),
    { type: Attr.Software, value: SOFTWARE },
  ];
  let reply = await allocate(client, requested, null, timeoutMs, 'challenge');
  ctx.emit('turn.allocate.challenge', { class: messageClass(reply.message.type) });
  if (messageClass(reply.message.type) === 'success') {
    // a server without authentication: allocated already
    return finishAllocation(ctx, client, reply, null, started, { ...base, authenticated: false });
  }
  let challenge = readChallenge(reply, base);
  if (target.username === undefined || target.credential === undefined) {
    throw new ProbeFailure(
      'server-error',
      'challenge',
      `the TURN server asks for credentials (realm "${challenge.realm}") but the config gives no username/credential for ${target.id}`,
      { ...base, errorCode: 401, cause: 'auth' },
    );
  }
  const key = longTermKey(target.username, challenge.realm, target.credential);

  // 2. authenticated Allocate; one fresh-nonce retry on 438
  ctx.stage('allocate');
  for (let round = 0; ; round++) {
    const auth: StunAttribute[] = [
      ...requested,
      { type: Attr.Username, value: Buffer.from(target.username) },
      { type: Attr.Realm, value: Buffer.from(challenge.realm) },
      { type: Attr.Nonce, value: Buffer.from(challenge.nonce) },
    ];
    reply = await allocate(client, auth, key, timeoutMs, 'allocate');
    if (messageClass(reply.message.type) === 'success') break;
    const error = errorCode(reply.message);
    if (error?.code === 438 && round === 0) {
      ctx.emit('turn.allocate.stale-nonce', {});
      challenge = readChallenge(reply, base);
      continue;
    }
    throw turnFailure(reply, 'allocate', base);
  }
  return finishAllocation(ctx, client, reply, { key, username: target.username, ...challenge }, started, {
    ...base,
    authenticated: true,
    integrityValid: integrityValid(reply.message, key),
  });
}

async function allocate(
  client: StunClient,
  attributes: StunAttribute[],
  key: Buffer | null,
  timeoutMs: number,
  stage: string,
) {
  const transactionId = randomBytes(12);
  const data = encodeMessage(MessageType.AllocateRequest, transactionId, attributes, {
    ...(key ? { integrityKey: key } : {}),
    fingerprint: true,
  });
  return client.request(data, transactionId, { timeoutMs, stage });
}

function readChallenge(reply: StunReply, base: Metrics): { realm: string; nonce: string } {
  const error = errorCode(reply.message);
  const realm = stringAttribute(reply.message, Attr.Realm);
  const nonce = stringAttribute(reply.message, Attr.Nonce);
  if (error && (error.code === 401 || error.code === 438) && realm !== null && nonce !== null)
    return { realm, nonce };
  if (error && error.code !== 401 && error.code !== 438) throw turnFailure(reply, 'challenge', base);
  throw new ProbeFailure(
    'malformed-reply',
    'challenge',
    'the server challenged the request without a REALM and NONCE: it does not speak TURN long-term credentials',
    { ...base, errorCode: error?.code ?? null },
  );
}

function turnFailure(reply: StunReply, stage: string, base: Metrics): ProbeFailure {
  const error = errorCode(reply.message);
  if (!error) {
    return new ProbeFailure(
      'malformed-reply',
      stage,
      'the server sent an error response without an ERROR-CODE',
      base,
    );
  }
  const explained = explainTurnError(error.code, error.reason);
  return new ProbeFailure('server-error', stage, explained.plain, {
    ...base,
    errorCode: error.code,
    errorReason: error.reason.slice(0, 200),
    cause: explained.cause,
  });
}

async function finishAllocation(
  ctx: ProbeContext,
  client: StunClient,
  reply: StunReply,
  auth: { key: Buffer; username: string; realm: string; nonce: string } | null,
  started: number,
  metrics: Metrics,
) {
  const relayed = xorAddressAttribute(reply.message, Attr.XorRelayedAddress);
  if (!relayed) {
    throw new ProbeFailure(
      'malformed-reply',
      'allocate',
      'the Allocate success response carries no XOR-RELAYED-ADDRESS',
      metrics,
    );
  }
  const mapped = mappedAddress(reply.message);
  const lifetime = reply.message.attributes.find((a) => a.type === Attr.Lifetime)?.value;
  const allocationMs = Math.round((performance.now() - started) * 100) / 100;
  ctx.emit('turn.allocate.success', { relay: `${relayed.address}:${relayed.port}`, allocationMs });

  // 3. release the allocation: Refresh with LIFETIME 0 (best effort; the server frees it anyway on expiry)
  ctx.stage('release');
  let released: boolean;
  try {
    const transactionId = randomBytes(12);
    const attributes: StunAttribute[] = [{ type: Attr.Lifetime, value: Buffer.alloc(4) }];
    if (auth) {
      attributes.push(
        { type: Attr.Username, value: Buffer.from(auth.username) },
        { type: Attr.Realm, value: Buffer.from(auth.realm) },
        { type: Attr.Nonce, value: Buffer.from(auth.nonce) },
      );
    }
    const refresh = encodeMessage(MessageType.RefreshRequest, transactionId, attributes, {
      ...(auth ? { integrityKey: auth.key } : {}),
      fingerprint: true,
    });
    const answer = await client.request(refresh, transactionId, {
      timeoutMs: ctx.timeouts.stunMs,
      stage: 'release',
    });
    released = messageClass(answer.message.type) === 'success';
  } catch (error) {
    if (error instanceof ProbeFailure && error.errorClass === 'aborted') throw error;
    released = false;
  }
  ctx.emit('turn.refresh.released', { released });
  return {
    stage: 'allocate',
    metrics: {
      ...metrics,
      relayAddress: relayed.address,
      relayPort: relayed.port,
      relayFamily: relayed.family,
      mappedAddress: mapped?.address ?? null,
      lifetimeS: lifetime && lifetime.length === 4 ? lifetime.readUInt32BE(0) : null,
      allocationMs,
      rttMs: reply.rttMs,
      released,
      ...client.tls,
    },
  };
}
