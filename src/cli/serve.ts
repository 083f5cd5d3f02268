import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { CONTENT_SECURITY_POLICY, type CallError, type TriageEvent } from '../contract';
import { dispatch } from '../core/dispatch';
import type { TriageService } from '../core/service';

/**
 * `rtc-triage serve`: the desktop UI in a browser, over the same contract as the Electron IPC
 * adapter. `POST /api/call/<method>` with JSON args answers `{ok,value}|{ok,error}` (every call goes
 * through `dispatch`); `GET /api/events` streams TriageEvents as server-sent events; everything else
 * is the built renderer. Only requests addressed to this server's own host:port are answered.
 */

export const MAX_BODY_BYTES = 64 * 1024;
const SSE_HEARTBEAT_MS = 15_000;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const STATUS_FOR_CODE: Record<string, number> = {
  UNKNOWN_METHOD: 404,
  NOT_FOUND: 404,
  ARGUMENT_INVALID: 400,
  BAD_REQUEST: 400,
  BUSY: 409,
};

export interface ServeOptions {
  /** The caller owns the service and closes it after the server. */
  service: TriageService;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The built renderer (out/renderer). */
  rendererDir: string;
}

export interface ServeHandle {
  url: string;
  close(): Promise<void>;
}

export async function startServe(options: ServeOptions): Promise<ServeHandle> {
  const rendererDir = resolve(options.rendererDir);
  const streams = new Set<ServerResponse>();
  let hostAllowed: (hostHeader: string) => boolean = () => false;

  const server = createServer((req, res) => {
    setCommonHeaders(res);
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        sendCallError(res, 500, { code: 'INTERNAL', message: `internal error: ${String(error)}` });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!isOwnRequest(req, hostAllowed)) {
      sendCallError(res, 403, {
        code: 'HOST_REFUSED',
        message: 'this server only answers requests addressed to itself',
      });
      return;
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith('/api/call/')) return handleCall(req, res, path.slice('/api/call/'.length));
    if (path === '/api/events') return handleEvents(req, res);
    if (path.startsWith('/api/')) {
      sendCallError(res, 404, { code: 'NOT_FOUND', message: `no API route ${path}` });
      return;
    }
    return serveStatic(req, res, path);
  }

  async function handleCall(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      sendCallError(res, 405, { code: 'METHOD_NOT_ALLOWED', message: 'API calls are POST requests' });
      return;
    }
    // A JSON content type cannot be sent cross-site without a CORS preflight, which this server never
    // grants: a second wall behind the Origin check.
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      sendCallError(res, 415, { code: 'BAD_REQUEST', message: 'send the arguments as application/json' });
      return;
    }
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === 'too-large') {
      res.setHeader('Connection', 'close');
      sendCallError(res, 413, {
        code: 'BODY_TOO_LARGE',
        message: `the request body is over ${MAX_BODY_BYTES} bytes`,
      });
      return;
    }
    let args: unknown;
    try {
      args = body.length === 0 ? undefined : JSON.parse(body.toString('utf8'));
    } catch (error) {
      sendCallError(res, 400, {
        code: 'BAD_REQUEST',
        message: `the request body is not valid JSON: ${(error as Error).message}`,
      });
      return;
    }
    const result = await dispatch(options.service, decodeSegment(method), args);
    sendJson(res, result.ok ? 200 : (STATUS_FOR_CODE[result.error.code] ?? 500), result);
  }

  function handleEvents(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET') {
      res.setHeader('Allow', 'GET');
      sendCallError(res, 405, { code: 'METHOD_NOT_ALLOWED', message: 'the event stream is a GET request' });
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    const write = (event: TriageEvent) => res.write(`data: ${JSON.stringify(event)}\n\n`);
    const unsubscribe = options.service.onEvent(write);
    const heartbeat = setInterval(() => res.write(': ping\n\n'), SSE_HEARTBEAT_MS);
    heartbeat.unref();
    streams.add(res);
    res.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    });
  }

  async function serveStatic(req: IncomingMessage, res: ServerResponse, urlPath: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      sendText(res, 405, 'method not allowed');
      return;
    }
    const file = await resolveStaticFile(rendererDir, urlPath);
    if (file.kind === 'refused') return sendText(res, 403, 'forbidden');
    if (file.kind === 'bad') return sendText(res, 400, 'bad request');
    if (file.kind === 'missing') {
      if (urlPath === '/' || urlPath === '/index.html') {
        return sendText(
          res,
          503,
          `the UI is not built (no index.html in ${rendererDir}); run "npm run build" first`,
        );
      }
      return sendText(res, 404, 'not found');
    }
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': String(file.size),
      // The HTML names hashed assets, so it must be revalidated; the assets never change.
      'Cache-Control': file.path.endsWith('.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file.path)
      .on('error', () => res.destroy())
      .pipe(res);
  }

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port, options.host, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const port = (server.address() as AddressInfo).port;
  hostAllowed = hostPolicy(options.host, port);

  return {
    url: `http://${hostForUrl(options.host)}:${port}/`,
    close: () =>
      new Promise<void>((resolveClose) => {
        for (const stream of streams) stream.end();
        streams.clear();
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}

function setCommonHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

function sendCallError(res: ServerResponse, status: number, error: CallError): void {
  sendJson(res, status, { ok: false, error });
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`${text}\n`);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Reads the body up to `limit` bytes; stops reading (and says so) past it. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
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

type StaticFile =
  { kind: 'file'; path: string; size: number } | { kind: 'missing' } | { kind: 'refused' } | { kind: 'bad' };

/** Maps a URL path to a file inside `root`, refusing anything that would leave it (also via symlinks). */
export async function resolveStaticFile(root: string, urlPath: string): Promise<StaticFile> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { kind: 'bad' };
  }
  if (decoded.includes('\0')) return { kind: 'bad' };
  const wanted = resolve(root, `.${decoded.endsWith('/') ? `${decoded}index.html` : decoded}`);
  if (!isInside(root, wanted)) return { kind: 'refused' };
  try {
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(wanted)]);
    if (!isInside(realRoot, realFile)) return { kind: 'refused' };
    const info = await stat(realFile);
    if (!info.isFile()) return { kind: 'missing' };
    return { kind: 'file', path: realFile, size: info.size };
  } catch {
    return { kind: 'missing' };
  }
}

function isInside(root: string, file: string): boolean {
  const rel = relative(root, file);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Which Host headers this server answers to. A DNS-rebinding attack reaches us under the attacker's
 * own DNS name, so only our own address is accepted (plus `localhost` for a loopback server, and any
 * IP literal for a wildcard bind): never another name.
 */
export function hostPolicy(host: string, port: number): (hostHeader: string) => boolean {
  const suffix = `:${port}`;
  const names = new Set([hostForUrl(host).toLowerCase()]);
  if (host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)) {
    for (const name of ['localhost', '127.0.0.1', '[::1]']) names.add(name);
  }
  const wildcard = host === '0.0.0.0' || host === '::';
  return (hostHeader) => {
    const value = hostHeader.toLowerCase();
    if (!value.endsWith(suffix)) return false;
    const name = value.slice(0, -suffix.length);
    if (names.has(name)) return true;
    return wildcard && (name === 'localhost' || /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:.]+\])$/.test(name));
  };
}

/** Host must be ours; an Origin, when the browser sends one, must be this very server. */
function isOwnRequest(req: IncomingMessage, hostAllowed: (hostHeader: string) => boolean): boolean {
  const host = req.headers.host;
  if (!host || !hostAllowed(host)) return false;
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' && url.host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}
