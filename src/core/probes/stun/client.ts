import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIP, connect as tcpConnect, type Socket as TcpSocket } from 'node:net';
import { connect as tlsConnect, rootCertificates, type TLSSocket } from 'node:tls';
import { classifyError } from '../classify';
import { ProbeFailure, type Metrics, type ProbeContext } from '../types';
import { StunStreamFramer } from './framer';
import { handshakeFailure, judgePeer } from './tls-peer';
import { decodeMessage, fingerprintValid, StunDecodeError, type StunMessage } from './message';

/** RFC 8489 §6.2.1: first retransmission after 500 ms, doubling (UDP only). */
const INITIAL_RTO_MS = 500;

/**
 * The largest reply accepted. Real Binding and Allocate answers are a few hundred bytes; a hostile
 * server can send 64 KB datagrams or framed messages, which are refused unread (and, over TCP,
 * skipped unbuffered).
 */
export const MAX_REPLY_BYTES = 16 * 1024;

/**
 * Bad replies (garbage, oversized) one transaction tolerates before it ends as `malformed-reply`
 * without waiting for its deadline: a server that floods is answered at once, and the flood
 * cannot keep the attempt busy.
 */
export const MAX_BAD_REPLIES = 100;

/** Bad replies logged as events per socket; the rest are only counted (a flood must not flood the log). */
const MAX_MALFORMED_EVENTS = 5;

export interface Endpoint {
  address: string;
  port: number;
}

export interface StunReply {
  message: StunMessage;
  /** From the last transmission to the reply. */
  rttMs: number;
  /** From the first transmission to the reply. */
  elapsedMs: number;
  transmissions: number;
  /** Garbage received while this transaction was open. */
  malformed: number;
}

interface Pending {
  resolve(reply: StunReply): void;
  reject(error: unknown): void;
  stage: string;
  firstSentAt: number;
  sentAt: number;
  transmissions: number;
  malformedAtStart: number;
  strayAtStart: number;
}

/**
 * A STUN transaction client over UDP, TCP or TLS whose socket and timers live on the attempt's
 * ledger. Replies are matched by transaction id; garbage is counted so a transaction that ends in
 * silence after garbage is a `malformed-reply`, not a `timeout`.
 */
export class StunClient {
  private readonly pending = new Map<string, Pending>();
  private malformed = 0;
  /** Well-formed replies that answer no open transaction (late, duplicated or foreign ids). */
  private stray = 0;
  private lastMalformed = '';
  /** Over TLS: the server's certificate and session (tls-peer.ts), for the attempt's metrics. */
  tls: Metrics = {};
  private failure: unknown = null;
  private send: (data: Buffer, to?: Endpoint) => void = () => {};

  private constructor(
    private readonly ctx: ProbeContext,
    readonly transport: 'udp' | 'tcp' | 'tls',
  ) {}

  /**
   * Opens the socket. `connectedTo` makes a UDP socket connected (ICMP unreachable then surfaces as
   * `refused`); leave it out to talk to several endpoints from one local port (RFC 5780 tests).
   */
  static async open(
    ctx: ProbeContext,
    options: {
      transport: 'udp' | 'tcp' | 'tls';
      family: 4 | 6;
      server: Endpoint;
      servername?: string;
      connected?: boolean;
      stage?: string;
    },
  ): Promise<StunClient> {
    const client = new StunClient(ctx, options.transport);
    const stage = options.stage ?? 'connect';
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(new ProbeFailure('aborted', stage, 'cancelled'));
      if (ctx.signal.aborted) return onAbort();
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      // a firewall that drops SYNs leaves a connect pending for minutes: one STUN timeout is enough
      const connectTimer =
        options.transport === 'udp'
          ? null
          : ctx.resources.timeout('stun connect', ctx.timeouts.stunMs, () =>
              done(
                new ProbeFailure(
                  'timeout',
                  stage,
                  `no ${options.transport.toUpperCase()} connection to ${options.server.address}:${options.server.port} within ${ctx.timeouts.stunMs} ms (nothing answered: the packets are dropped on the way)`,
                ),
              ),
            );
      let settled = false;
      const done = (error?: unknown) => {
        if (settled) return;
        settled = true;
        connectTimer?.release();
        ctx.signal.removeEventListener('abort', onAbort);
        if (error) reject(classifyError(error, stage));
        else resolve();
      };
      if (options.transport === 'udp') client.openUdp(options, done);
      else client.openStream(options, done);
    });
    return client;
  }

  private openUdp(
    options: { family: 4 | 6; server: Endpoint; connected?: boolean },
    done: (error?: unknown) => void,
  ) {
    const socket: UdpSocket = createSocket(options.family === 6 ? 'udp6' : 'udp4');
    this.ctx.resources.register(
      'udp-socket',
      `stun udp ${options.server.address}:${options.server.port}`,
      () => socket.close(),
    );
    socket.on('message', (buf) => this.onMessage(buf));
    socket.on('error', (error) => {
      this.fail(error);
      done(error);
    });
    // dgram hands a failed connect (ENETUNREACH: no route) to the callback, not to 'error'
    const onReady = (error?: Error | null) => done(error ?? undefined);
    if (options.connected) {
      this.send = (data) => socket.send(data, (error) => error && this.fail(error));
      socket.connect(options.server.port, options.server.address, onReady);
    } else {
      this.send = (data, to) =>
        socket.send(
          data,
          (to ?? options.server).port,
          (to ?? options.server).address,
          (error) => error && this.fail(error),
        );
      socket.bind(0, onReady);
    }
  }

  private openStream(
    options: { transport: 'udp' | 'tcp' | 'tls'; server: Endpoint; servername?: string },
    done: (error?: unknown) => void,
  ) {
    const secure = options.transport === 'tls';
    const host = options.servername ?? options.server.address;
    const endpoint = `${host}:${options.server.port}`;
    const extraCa = this.ctx.tlsCa ?? null;
    // the certificate is judged after the handshake (tls-peer.ts), so even a refused one is described
    const socket: TcpSocket = secure
      ? tlsConnect({
          host: options.server.address,
          port: options.server.port,
          rejectUnauthorized: false,
          ...(extraCa ? { ca: [...rootCertificates, extraCa] } : {}),
          ...(options.servername && !isIP(options.servername) ? { servername: options.servername } : {}),
        })
      : tcpConnect({ host: options.server.address, port: options.server.port });
    let handshaken = !secure;
    this.ctx.resources.register(
      secure ? 'tls-socket' : 'tcp-socket',
      `stun ${options.transport} ${options.server.address}`,
      () => socket.destroy(),
    );
    const framer = new StunStreamFramer(MAX_REPLY_BYTES);
    socket.on('data', (chunk: Buffer) => {
      for (const item of framer.push(chunk)) {
        if (item.kind === 'message') this.onMessage(item.bytes);
        else this.onMalformed(item.bytes, item.reason);
      }
    });
    socket.on('error', (error) => {
      const failure = handshaken ? error : (handshakeFailure(error, endpoint, 'connect') ?? error);
      this.fail(failure);
      done(failure);
    });
    socket.on('close', () =>
      this.fail(
        framer.pending > 0
          ? new ProbeFailure(
              'malformed-reply',
              'request',
              `the server closed the connection in the middle of a STUN message (${framer.pending} bytes of it unread)`,
            )
          : new ProbeFailure('refused', 'request', 'the server closed the connection'),
      ),
    );
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      handshaken = true;
      if (!secure) return done();
      const peer = judgePeer(socket as TLSSocket, host, 'connect', extraCa);
      this.tls = peer.facts;
      if (peer.failure) {
        this.fail(peer.failure);
        socket.destroy();
        return done(peer.failure);
      }
      if (peer.warning) this.ctx.emit('tls.certificate.expiring', { warning: peer.warning });
      done();
    });
    this.send = (data) => socket.write(data);
  }

  /** One datagram (UDP) or one framed message (TCP/TLS) from the server. */
  private onMessage(buf: Buffer): void {
    if (buf.length > MAX_REPLY_BYTES) {
      this.onMalformed(
        buf.length,
        `a reply of ${buf.length} bytes, larger than any STUN reply (limit ${MAX_REPLY_BYTES})`,
      );
      return;
    }
    let message: StunMessage;
    try {
      message = decodeMessage(buf);
      if (!fingerprintValid(message)) throw new StunDecodeError('FINGERPRINT does not match the message');
    } catch (error) {
      this.onMalformed(buf.length, error instanceof Error ? error.message : String(error));
      return;
    }
    const key = message.transactionId.toString('hex');
    const pending = this.pending.get(key);
    if (!pending) {
      this.stray++; // a late or duplicated reply, or another transaction's: not ours any more
      return;
    }
    this.pending.delete(key);
    const now = performance.now();
    pending.resolve({
      message,
      rttMs: round(now - pending.sentAt),
      elapsedMs: round(now - pending.firstSentAt),
      transmissions: pending.transmissions,
      malformed: this.malformed - pending.malformedAtStart,
    });
  }

  private onMalformed(bytes: number, reason: string): void {
    this.malformed++;
    this.lastMalformed = reason;
    if (this.malformed <= MAX_MALFORMED_EVENTS) this.ctx.emit('stun.reply.malformed', { bytes, reason });
    for (const [key, pending] of this.pending) {
      const bad = this.malformed - pending.malformedAtStart;
      if (bad < MAX_BAD_REPLIES) continue;
      this.pending.delete(key);
      pending.reject(
        new ProbeFailure(
          'malformed-reply',
          pending.stage,
          `the server flooded this request with ${bad} replies that are not valid STUN (last: ${reason})`,
        ),
      );
    }
  }

  /** A socket-level failure ends every open transaction with it. */
  private fail(error: unknown): void {
    this.failure ??= error;
    for (const [key, pending] of this.pending) {
      this.pending.delete(key);
      pending.reject(error);
    }
  }

  /**
   * Sends one request and waits for its response (success or error class), retransmitting over UDP.
   * Rejects with a classified ProbeFailure: timeout, malformed-reply, refused, aborted…
   */
  request(
    data: Buffer,
    transactionId: Buffer,
    options: { timeoutMs: number; stage: string; to?: Endpoint; onTransmit?: (transmission: number) => void },
  ): Promise<StunReply> {
    const { ctx } = this;
    const scope = ctx.resources; // timers are released with the attempt, or sooner below
    return new Promise<StunReply>((resolve, reject) => {
      if (this.failure) return reject(restage(classifyError(this.failure, options.stage), options.stage));
      if (ctx.signal.aborted) return reject(new ProbeFailure('aborted', options.stage, 'cancelled'));
      const key = transactionId.toString('hex');
      const timers: Array<{ release(): void }> = [];
      const cleanup = () => {
        for (const timer of timers) timer.release();
        ctx.signal.removeEventListener('abort', onAbort);
        this.pending.delete(key);
      };
      const onAbort = () => {
        cleanup();
        reject(new ProbeFailure('aborted', options.stage, 'cancelled'));
      };
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      const pending: Pending = {
        resolve: (reply) => {
          cleanup();
          resolve(reply);
        },
        reject: (error) => {
          cleanup();
          reject(restage(classifyError(error, options.stage), options.stage));
        },
        stage: options.stage,
        firstSentAt: performance.now(),
        sentAt: performance.now(),
        transmissions: 0,
        malformedAtStart: this.malformed,
        strayAtStart: this.stray,
      };
      this.pending.set(key, pending);
      const transmit = () => {
        pending.sentAt = performance.now();
        pending.transmissions++;
        options.onTransmit?.(pending.transmissions);
        this.send(data, options.to);
      };
      transmit();
      if (this.transport === 'udp') {
        let rto = INITIAL_RTO_MS;
        const schedule = () => {
          timers.push(
            scope.timeout('stun retransmit', rto, () => {
              transmit();
              rto *= 2;
              schedule();
            }),
          );
        };
        schedule();
      }
      timers.push(
        scope.timeout('stun transaction deadline', options.timeoutMs, () => {
          const garbage = this.malformed - pending.malformedAtStart;
          const strays = this.stray - pending.strayAtStart;
          cleanup();
          reject(
            garbage > 0
              ? new ProbeFailure(
                  'malformed-reply',
                  options.stage,
                  `the server answered, but not with a valid STUN reply (${garbage} bad replies; last: ${this.lastMalformed})`,
                )
              : new ProbeFailure(
                  'timeout',
                  options.stage,
                  strays > 0
                    ? `no answer to this request within ${options.timeoutMs} ms (${strays} replies carried another transaction id and were ignored)`
                    : `no answer within ${options.timeoutMs} ms`,
                  { transmissions: pending.transmissions, strayReplies: strays },
                ),
          );
        }),
      );
    });
  }
}

/** A socket failure found while a transaction is open is reported at that transaction's stage. */
function restage(failure: ProbeFailure, stage: string): ProbeFailure {
  return failure.stage === stage
    ? failure
    : new ProbeFailure(failure.errorClass, stage, failure.message, failure.metrics);
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
