import { randomBytes } from 'node:crypto';
import type { Timeouts } from '../../contract';
import { resolveHost } from './resolve';
import { StunClient } from './stun/client';
import {
  Attr,
  errorCode,
  encodeMessage,
  mappedAddress,
  messageClass,
  MessageType,
  plainAddressAttribute,
  software,
  StunDecodeError,
} from './stun/message';
import { ProbeFailure, type Probe, type ProbeContext, type ProbeSuccess, type ResolvedTarget } from './types';

type StunTarget = Extract<ResolvedTarget, { kind: 'stun' }>;

/**
 * StunBindingProbe: one Binding request to a STUN server over the URL's transport (UDP with RFC 8489
 * retransmissions, TCP or TLS). Success yields the reflexive address, the RTT and whether the server
 * supports RFC 5780 (OTHER-ADDRESS). Failures are classified: dns, refused, unreachable, timeout,
 * malformed-reply, server-error, tls.
 */
export const stunBindingProbe: Probe<StunTarget> = {
  name: 'stun-binding',
  kinds: ['stun'],
  deadlineMs: (timeouts: Timeouts) => timeouts.stunMs,
  run: runStunBinding,
};

async function runStunBinding(target: StunTarget, ctx: ProbeContext): Promise<ProbeSuccess> {
  const uri = target.parsed;
  const deadline = performance.now() + ctx.timeouts.stunMs;
  ctx.stage('dns');
  const resolved = await resolveHost(uri.host, ctx.lookup, 'dns');
  ctx.emit('stun.dns.resolved', { host: uri.host, address: resolved.address });
  ctx.stage('connect');
  const client = await withDeadline(
    ctx,
    deadline,
    'connect',
    StunClient.open(ctx, {
      transport: uri.transport,
      family: resolved.family,
      server: { address: resolved.address, port: uri.port },
      servername: uri.host,
      // connected: ICMP port unreachable then surfaces as "refused"
      connected: true,
    }),
  );

  ctx.stage('binding');
  const transactionId = randomBytes(12);
  const reply = await client.request(
    encodeMessage(MessageType.BindingRequest, transactionId, [], true),
    transactionId,
    {
      timeoutMs: Math.max(1, Math.round(deadline - performance.now())),
      stage: 'binding',
      onTransmit: (n) =>
        ctx.emit(n === 1 ? 'stun.binding.sent' : 'stun.binding.retransmit', { transmission: n }),
    },
  );
  const base = {
    transport: uri.transport,
    serverAddress: resolved.address,
    rttMs: reply.rttMs,
    timeToAnswerMs: reply.elapsedMs,
    transmissions: reply.transmissions,
    malformedReplies: reply.malformed,
  };
  if (messageClass(reply.message.type) === 'error') {
    let detail: { code: number; reason: string } | null;
    try {
      detail = errorCode(reply.message);
    } catch {
      detail = null;
    }
    ctx.emit('stun.binding.error', { code: detail?.code ?? null, reason: detail?.reason ?? null });
    throw new ProbeFailure(
      'server-error',
      'binding',
      `the server answered with an error${detail ? ` ${detail.code} ${detail.reason}` : ''}`,
      { ...base, errorCode: detail?.code ?? null },
    );
  }
  try {
    if (reply.message.type !== MessageType.BindingSuccess) {
      throw new StunDecodeError(`unexpected message type 0x${reply.message.type.toString(16)}`);
    }
    const mapped = mappedAddress(reply.message);
    if (!mapped) throw new StunDecodeError('the success response carries no (XOR-)MAPPED-ADDRESS');
    const other = plainAddressAttribute(reply.message, Attr.OtherAddress);
    const origin = plainAddressAttribute(reply.message, Attr.ResponseOrigin);
    ctx.emit('stun.binding.received', { rttMs: reply.rttMs, mapped: `${mapped.address}:${mapped.port}` });
    return {
      stage: 'binding',
      metrics: {
        ...base,
        mappedAddress: mapped.address,
        mappedPort: mapped.port,
        mappedFamily: mapped.family,
        otherAddress: other ? `${other.address}:${other.port}` : null,
        responseOrigin: origin ? `${origin.address}:${origin.port}` : null,
        rfc5780: other !== null,
        software: software(reply.message),
        ...client.tls,
      },
    };
  } catch (error) {
    if (!(error instanceof StunDecodeError)) throw error;
    ctx.emit('stun.binding.malformed', { reason: error.message });
    throw new ProbeFailure(
      'malformed-reply',
      'binding',
      `the server's Binding response is not valid: ${error.message}`,
      base,
    );
  }
}

/** Bounds a step (a TCP/TLS connect) by the attempt's deadline, so a black-holed SYN is a timeout. */
function withDeadline<T>(ctx: ProbeContext, deadline: number, stage: string, step: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = ctx.resources.timeout(
      'stun connect deadline',
      Math.max(1, deadline - performance.now()),
      () => reject(new ProbeFailure('timeout', stage, `could not connect within ${ctx.timeouts.stunMs} ms`)),
    );
    step.then(
      (value) => {
        timer.release();
        resolve(value);
      },
      (error: unknown) => {
        timer.release();
        reject(error);
      },
    );
  });
}
