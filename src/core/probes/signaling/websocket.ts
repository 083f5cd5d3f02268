import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { classifyError } from '../classify';
import { ProbeFailure, type Metrics, type ProbeContext } from '../types';

/** Largest frame a probe accepts from a signaling server; anything bigger is hostile or broken. */
export const MAX_FRAME_BYTES = 256 * 1024;

export type FrameListener = (data: WebSocket.RawData) => void;

/**
 * A socket whose frames are queued from the moment it opens: a server may send its first frame in
 * the same TCP segment as the upgrade answer, before anyone could attach a listener.
 */
export interface OpenSocket {
  socket: WebSocket;
  /** Delivers queued frames first, then every new one. */
  onFrame(listener: FrameListener): void;
  /**
   * How the server broke the WebSocket protocol (a text frame that is not UTF-8, a frame over the
   * limit…) when that made this client drop the connection; null otherwise.
   */
  readonly violation: string | null;
}

/**
 * Opens a WebSocket on the attempt's ledger. Refused / unreachable / TLS are classified as usual; a
 * server that answers HTTP instead of upgrading is a `server-error` naming the status; silence until
 * `timeoutMs` is a `timeout` in `stage`.
 */
export function openWebSocket(
  ctx: ProbeContext,
  url: URL,
  label: string,
  stage: string,
  timeoutMs: number,
): Promise<OpenSocket> {
  return new Promise<OpenSocket>((resolve, reject) => {
    if (ctx.signal.aborted) return reject(new ProbeFailure('aborted', stage, 'cancelled'));
    const socket = new WebSocket(url, { maxPayload: MAX_FRAME_BYTES, handshakeTimeout: timeoutMs });
    ctx.resources.register('websocket', `${label} ${url.host}`, () => socket.terminate());
    const queued: WebSocket.RawData[] = [];
    let deliver: FrameListener = (data) => queued.push(data);
    socket.on('message', (data) => deliver(data));
    let violation: string | null = null;
    const open: OpenSocket = {
      socket,
      onFrame(listener) {
        deliver = listener;
        for (const data of queued.splice(0)) listener(data);
      },
      get violation() {
        return violation;
      },
    };
    let settled = false;
    const settle = (error: unknown | null) => {
      if (settled) return;
      settled = true;
      timer.release();
      ctx.signal.removeEventListener('abort', onAbort);
      if (error === null) resolve(open);
      else reject(error instanceof ProbeFailure ? error : classifyError(error, stage));
    };
    const onAbort = () => settle(new ProbeFailure('aborted', stage, 'cancelled'));
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const timer = ctx.resources.timeout(`${label} open deadline`, timeoutMs, () =>
      settle(new ProbeFailure('timeout', stage, `${label}: no WebSocket connection within ${timeoutMs} ms`)),
    );
    socket.once('open', () => settle(null));
    socket.once('unexpected-response', (_request, response: IncomingMessage) => {
      response.resume();
      settle(
        new ProbeFailure(
          'server-error',
          stage,
          `${label}: the server answered HTTP ${response.statusCode ?? '?'} instead of accepting a WebSocket at ${url.pathname}`,
          { httpStatus: response.statusCode ?? null },
        ),
      );
    });
    // after open, errors are handled by the probe's own listeners; this one keeps ws from throwing
    // and remembers a protocol violation, which ws answers by closing the connection itself
    socket.on('error', (error: Error & { code?: string }) => {
      violation ??= protocolViolation(error);
      settle(error);
    });
  });
}

function protocolViolation(error: Error & { code?: string }): string | null {
  if (!error.code?.startsWith('WS_ERR_')) return null;
  if (error.code === 'WS_ERR_INVALID_UTF8') return 'a text frame that is not valid UTF-8';
  if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH')
    return `a frame over ${MAX_FRAME_BYTES / 1024} KB, more than any signaling message`;
  return error.message.slice(0, 120);
}

/**
 * The failure for a signaling connection that closed before its work was done: `refused` in the
 * words given, or, when this client dropped it because the server broke the WebSocket protocol, a
 * `malformed-reply` that says how (the server did not close anything; it sent something broken).
 */
export function connectionLost(
  open: OpenSocket,
  stage: string,
  serverName: string,
  closedWords: string,
  metrics: Metrics = {},
): ProbeFailure {
  if (open.violation === null) return new ProbeFailure('refused', stage, closedWords, metrics);
  return new ProbeFailure(
    'malformed-reply',
    stage,
    `${serverName} sent ${open.violation}, so the client dropped the connection`,
    metrics,
  );
}

/** Text of a frame (ws delivers Buffers); null when it is too large or not text. */
export function frameText(data: WebSocket.RawData): string | null {
  const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
  if (buffer.length > MAX_FRAME_BYTES) return null;
  return buffer.toString('utf8');
}
