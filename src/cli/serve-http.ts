import type { IncomingMessage, ServerResponse } from 'node:http';
import { CONTENT_SECURITY_POLICY, httpStatusFor, type CallError } from '../contract';

/** The plain HTTP pieces of `serve`: headers every response carries, JSON and text answers, bodies. */

export function setCommonHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

/** A refused request: its HTTP status is its code's (contract/errors.ts). */
export function sendCallError(res: ServerResponse, error: CallError): void {
  sendJson(res, httpStatusFor(error.code), { ok: false, error });
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`${text}\n`);
}

export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Reads the body up to `limit` bytes; stops reading (and says so) past it. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.resolve('too-large');
  }
  return new Promise((resolveBody, rejectBody) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        resolveBody('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (size <= limit) resolveBody(Buffer.concat(chunks));
    });
    req.on('error', rejectBody);
    // A client that goes away mid-body must not leave this promise pending forever.
    req.on('close', () => {
      if (!req.complete)
        rejectBody(new Error('the client closed the connection before sending the whole body'));
    });
  });
}

export function sendTooLarge(res: ServerResponse, limit: number): void {
  res.setHeader('Connection', 'close');
  sendCallError(res, { code: 'BODY_TOO_LARGE', message: `the request body is over ${limit} bytes` });
}

export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
