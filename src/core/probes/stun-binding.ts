import { randomBytes } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect as tcpConnect, type Socket as TcpSocket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { parseIceServerUri, type Timeouts } from '../../contract';
import { classifyError } from './classify';
import { resolveHost } from './resolve';
import {
  Attr,
  MessageType,
  StunDecodeError,
  decodeMessage,
  encodeMessage,
  errorCode,
  fingerprintValid,
  framedLength,
  mappedAddress,
  plainAddressAttribute,
  software,
  MAX_MESSAGE_LENGTH,
  MAGIC_COOKIE,
  type StunMessage,
} from './stun/message';
import {
  ProbeFailure,
  type Metrics,
  type Probe,
  type ProbeContext,
  type ProbeSuccess,
  type ResolvedTarget,
} from './types';

/** RFC 8489 §6.2.1: first retransmission after 500 ms, doubling. */
const INITIAL_RTO_MS = 500;

type StunTarget = Extract<ResolvedTarget, { kind: 'stun' | 'turn' }>;

interface Exchange {
  /** Sends the request (again). */
  send(): void;
}

/**
 * StunBindingProbe: one Binding request to a STUN (or TURN) server over the URL's transport.
 * Success yields the reflexive address, the RTT and whether the server supports RFC 5780
 * (OTHER-ADDRESS). Failures are classified: dns, refused, unreachable, timeout, malformed-reply,
 * server-error, tls.
 */
export const stunBindingProbe: Probe<StunTarget> = {
  name: 'stun-binding',
  kinds: ['stun'],
  deadlineMs: (timeouts: Timeouts) => timeouts.stunMs,
  run: runStunBinding,
};

async function runStunBinding(target: StunTarget, ctx: ProbeContext): Promise<ProbeSuccess> {
  const uri = parseIceServerUri(target.url);
  if ('error' in uri) throw new ProbeFailure('internal', 'parse', uri.error);
  ctx.stage('dns');
  const resolved = await resolveHost(uri.host, ctx.lookup, 'dns');
  ctx.emit('stun.dns.resolved', { host: uri.host, address: resolved.address });

  const transactionId = randomBytes(12);
  const request = encodeMessage(MessageType.BindingRequest, transactionId, [], true);
  const timing = {
    firstSentAt: 0,
    lastSentAt: 0,
    transmissions: 0,
    malformed: 0,
    strays: 0,
    lastMalformed: '',
  };

  return new Promise<ProbeSuccess>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: { ok: ProbeSuccess } | { error: unknown }) => {
      if (settled) return;
      settled = true;
      ctx.resources.releaseAll();
      ctx.signal.removeEventListener('abort', onAbort);
      if ('ok' in outcome) resolve(outcome.ok);
      else reject(classifyError(outcome.error, currentStage));
    };
    let currentStage = 'connect';
    const setStage = (name: string) => {
      currentStage = name;
      ctx.stage(name);
    };

    const onReply = (buf: Buffer) => {
      let message: StunMessage;
      try {
        if (buf.length > MAX_MESSAGE_LENGTH)
          throw new StunDecodeError(`reply of ${buf.length} bytes is larger than any STUN message`);
        message = decodeMessage(buf);
        if (!fingerprintValid(message)) throw new StunDecodeError('FINGERPRINT does not match the message');
      } catch (error) {
        timing.malformed++;
        timing.lastMalformed = error instanceof Error ? error.message : String(error);
        ctx.emit('stun.binding.malformed', { bytes: buf.length, reason: timing.lastMalformed });
        return;
      }
      if (!message.transactionId.equals(transactionId)) {
        timing.strays++;
        return;
      }
      const rttMs = performance.now() - timing.lastSentAt;
      const base: Metrics = {
        transport: uri.transport,
        serverAddress: resolved.address,
        rttMs: round(rttMs),
        timeToAnswerMs: round(performance.now() - timing.firstSentAt),
        transmissions: timing.transmissions,
        malformedReplies: timing.malformed,
      };
      if (message.type === MessageType.BindingError) {
        let detail: { code: number; reason: string } | null;
        try {
          detail = errorCode(message);
        } catch {
          detail = null;
        }
        ctx.emit('stun.binding.error', { code: detail?.code ?? null, reason: detail?.reason ?? null });
        finish({
          error: new ProbeFailure(
            'server-error',
            'binding',
            `the server answered with an error${detail ? ` ${detail.code} ${detail.reason}` : ''}`,
            { ...base, errorCode: detail?.code ?? null },
          ),
        });
        return;
      }
      if (message.type !== MessageType.BindingSuccess) {
        timing.malformed++;
        timing.lastMalformed = `unexpected message type 0x${message.type.toString(16)}`;
        return;
      }
      try {
        const mapped = mappedAddress(message);
        if (!mapped) throw new StunDecodeError('the success response carries no (XOR-)MAPPED-ADDRESS');
        const other = plainAddressAttribute(message, Attr.OtherAddress);
        const origin = plainAddressAttribute(message, Attr.ResponseOrigin);
        ctx.emit('stun.binding.received', { rttMs: base.rttMs, mapped: `${mapped.address}:${mapped.port}` });
        finish({
          ok: {
            stage: 'binding',
            metrics: {
              ...base,
              mappedAddress: mapped.address,
              mappedPort: mapped.port,
              mappedFamily: mapped.family,
              otherAddress: other ? `${other.address}:${other.port}` : null,
              responseOrigin: origin ? `${origin.address}:${origin.port}` : null,
              rfc5780: other !== null,
              software: software(message),
            },
          },
        });
      } catch (error) {
        timing.malformed++;
        timing.lastMalformed = error instanceof Error ? error.message : String(error);
        ctx.emit('stun.binding.malformed', { bytes: buf.length, reason: timing.lastMalformed });
      }
    };

    const onAbort = () => finish({ error: new ProbeFailure('aborted', currentStage, 'cancelled') });
    if (ctx.signal.aborted) {
      onAbort();
      return;
    }
    ctx.signal.addEventListener('abort', onAbort, { once: true });

    ctx.resources.timeout('stun deadline', ctx.timeouts.stunMs, () => {
      if (timing.malformed > 0) {
        finish({
          error: new ProbeFailure(
            'malformed-reply',
            currentStage,
            `the server answered, but not with a valid STUN reply (${timing.malformed} bad replies; last: ${timing.lastMalformed})`,
            { malformedReplies: timing.malformed, transmissions: timing.transmissions },
          ),
        });
        return;
      }
      const where = currentStage === 'connect' ? 'connecting' : 'waiting for the Binding response';
      finish({
        error: new ProbeFailure(
          'timeout',
          currentStage,
          `no answer after ${ctx.timeouts.stunMs} ms ${where}`,
          {
            transmissions: timing.transmissions,
          },
        ),
      });
    });

    const sendRequest = (write: (data: Buffer) => void) => () => {
      const now = performance.now();
      if (timing.transmissions === 0) timing.firstSentAt = now;
      timing.lastSentAt = now;
      timing.transmissions++;
      ctx.emit(timing.transmissions === 1 ? 'stun.binding.sent' : 'stun.binding.retransmit', {
        transmission: timing.transmissions,
      });
      write(request);
    };

    try {
      void (uri.transport === 'udp'
        ? openUdp(ctx, resolved, uri.port, onReply, (error) => finish({ error }), setStage, sendRequest)
        : openStream(ctx, resolved, uri, onReply, (error) => finish({ error }), setStage, sendRequest));
    } catch (error) {
      finish({ error });
    }
  });
}

type SendFactory = (write: (data: Buffer) => void) => () => void;

function openUdp(
  ctx: ProbeContext,
  resolved: { address: string; family: 4 | 6 },
  port: number,
  onReply: (buf: Buffer) => void,
  onError: (error: unknown) => void,
  setStage: (stage: string) => void,
  sendFactory: SendFactory,
): Exchange {
  const socket: UdpSocket = createSocket(resolved.family === 6 ? 'udp6' : 'udp4');
  ctx.resources.register('udp-socket', `stun udp ${resolved.address}:${port}`, () => socket.close());
  socket.on('error', onError);
  socket.on('message', onReply);
  const send = sendFactory((data) => socket.send(data, (error) => error && onError(error)));
  // A connected UDP socket receives ICMP port-unreachable as ECONNREFUSED: the "refused" class.
  socket.connect(port, resolved.address, () => {
    setStage('binding');
    send();
    let rto = INITIAL_RTO_MS;
    const schedule = () => {
      ctx.resources.timeout('stun retransmit', rto, () => {
        send();
        rto *= 2;
        schedule();
      });
    };
    schedule();
  });
  return { send };
}

function openStream(
  ctx: ProbeContext,
  resolved: { address: string; family: 4 | 6 },
  uri: { host: string; port: number; transport: 'udp' | 'tcp' | 'tls' },
  onReply: (buf: Buffer) => void,
  onError: (error: unknown) => void,
  setStage: (stage: string) => void,
  sendFactory: SendFactory,
): Exchange {
  const secure = uri.transport === 'tls';
  const socket: TcpSocket = secure
    ? tlsConnect({
        host: resolved.address,
        port: uri.port,
        servername: uri.host,
        ALPNProtocols: ['stun.turn'],
      })
    : tcpConnect({ host: resolved.address, port: uri.port });
  ctx.resources.register(
    secure ? 'tls-socket' : 'tcp-socket',
    `stun ${uri.transport} ${resolved.address}:${uri.port}`,
    () => socket.destroy(),
  );
  const send = sendFactory((data) => socket.write(data));
  let pending = Buffer.alloc(0);
  socket.on('error', onError);
  socket.on(secure ? 'secureConnect' : 'connect', () => {
    setStage('binding');
    send();
  });
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      if (
        pending.length >= 8 &&
        ((pending[0] as number) & 0xc0 || pending.readUInt32BE(4) !== MAGIC_COOKIE)
      ) {
        // not a STUN frame: report it as a malformed reply and drop the stream's buffer
        onReply(pending);
        pending = Buffer.alloc(0);
        break;
      }
      const length = framedLength(pending);
      if (length === null || pending.length < length) break;
      const frame = pending.subarray(0, length);
      pending = pending.subarray(length);
      onReply(Buffer.from(frame));
    }
    if (pending.length > MAX_MESSAGE_LENGTH) onReply(pending);
  });
  socket.on('close', () =>
    onError(new ProbeFailure('refused', 'binding', 'the server closed the connection without answering')),
  );
  return { send };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
