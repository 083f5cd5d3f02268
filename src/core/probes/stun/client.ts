import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect as tcpConnect, type Socket as TcpSocket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { classifyError } from '../classify';
import { ProbeFailure, type ProbeContext } from '../types';
import {
  decodeMessage,
  fingerprintValid,
  framedLength,
  MAGIC_COOKIE,
  MAX_MESSAGE_LENGTH,
  StunDecodeError,
  type StunMessage,
} from './message';

/** RFC 8489 §6.2.1: first retransmission after 500 ms, doubling (UDP only). */
const INITIAL_RTO_MS = 500;

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
  firstSentAt: number;
  sentAt: number;
  transmissions: number;
  malformedAtStart: number;
}

/**
 * A STUN transaction client over UDP, TCP or TLS whose socket and timers live on the attempt's
 * ledger. Replies are matched by transaction id; garbage is counted so a transaction that ends in
 * silence after garbage is a `malformed-reply`, not a `timeout`.
 */
export class StunClient {
  private readonly pending = new Map<string, Pending>();
  private malformed = 0;
  private lastMalformed = '';
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
      const done = (error?: unknown) => {
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
    socket.on('message', (buf) => this.onDatagram(buf));
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
    const socket: TcpSocket = secure
      ? tlsConnect({
          host: options.server.address,
          port: options.server.port,
          ...(options.servername ? { servername: options.servername } : {}),
        })
      : tcpConnect({ host: options.server.address, port: options.server.port });
    this.ctx.resources.register(
      secure ? 'tls-socket' : 'tcp-socket',
      `stun ${options.transport} ${options.server.address}`,
      () => socket.destroy(),
    );
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (
          buffer.length >= 8 &&
          (((buffer[0] as number) & 0xc0) !== 0 || buffer.readUInt32BE(4) !== MAGIC_COOKIE)
        ) {
          this.onDatagram(buffer);
          buffer = Buffer.alloc(0);
          return;
        }
        const length = framedLength(buffer);
        if (length === null || buffer.length < length) return;
        this.onDatagram(Buffer.from(buffer.subarray(0, length)));
        buffer = buffer.subarray(length);
      }
    });
    socket.on('error', (error) => {
      this.fail(error);
      done(error);
    });
    socket.on('close', () =>
      this.fail(new ProbeFailure('refused', 'request', 'the server closed the connection')),
    );
    socket.once(secure ? 'secureConnect' : 'connect', () => done());
    this.send = (data) => socket.write(data);
  }

  private onDatagram(buf: Buffer): void {
    let message: StunMessage;
    try {
      if (buf.length > MAX_MESSAGE_LENGTH)
        throw new StunDecodeError(`reply of ${buf.length} bytes is too large`);
      message = decodeMessage(buf);
      if (!fingerprintValid(message)) throw new StunDecodeError('FINGERPRINT does not match the message');
    } catch (error) {
      this.malformed++;
      this.lastMalformed = error instanceof Error ? error.message : String(error);
      this.ctx.emit('stun.reply.malformed', { bytes: buf.length, reason: this.lastMalformed });
      return;
    }
    const key = message.transactionId.toString('hex');
    const pending = this.pending.get(key);
    if (!pending) return; // a stray or late reply: not ours any more
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
      if (this.failure) return reject(classifyError(this.failure, options.stage));
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
          reject(classifyError(error, options.stage));
        },
        firstSentAt: performance.now(),
        sentAt: performance.now(),
        transmissions: 0,
        malformedAtStart: this.malformed,
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
          cleanup();
          reject(
            garbage > 0
              ? new ProbeFailure(
                  'malformed-reply',
                  options.stage,
                  `the server answered, but not with a valid STUN reply (${garbage} bad replies; last: ${this.lastMalformed})`,
                )
              : new ProbeFailure('timeout', options.stage, `no answer within ${options.timeoutMs} ms`, {
                  transmissions: pending.transmissions,
                }),
          );
        }),
      );
    });
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
