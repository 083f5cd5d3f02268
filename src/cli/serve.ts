import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { httpStatusFor, MAX_CALL_DUMP_CHARS, type TriageEvent } from '../contract';
import type { CallContext } from '../core/engine/protocol';
import type { EngineClient } from '../core/engine/client';
import type { CallResult } from '../core/engine/protocol';
import { inProcessEngine } from '../core/engine/in-process';
import { TriageError } from '../core/errors';
import type { TriageService } from '../core/service';
import { checkToken, hostForUrl, hostPolicy, isOwnRequest, MIN_TOKEN_LENGTH, newToken } from './serve-auth';
import { MAX_BUNDLE_UPLOAD_BYTES, ServeFiles } from './serve-files';
import {
  decodeSegment,
  readBody,
  safeDecode,
  sendCallError,
  sendJson,
  sendTooLarge,
  setCommonHeaders,
} from './serve-http';
import { serveStatic } from './serve-static';

export { MAX_BUNDLE_UPLOAD_BYTES };
export { hostPolicy } from './serve-auth';
export { resolveStaticFile } from './serve-static';

/**
 * `rtc-triage serve`: the desktop UI in a browser, over the same contract as the Electron IPC
 * adapter. `POST /api/call/<method>` with JSON args answers `{ok,value}|{ok,error}` (every call goes
 * through `dispatch`; `importCall`'s JSON may be as large as a dump); `openBundle` takes the bundle's
 * bytes as its body instead, and `exportBundle`
 * answers with a one-time `GET /api/download/<id>`; `GET /api/events` streams TriageEvents as
 * server-sent events; everything else is the built renderer. Only requests addressed to this
 * server's own host:port are answered, and only those carrying its token: loopback is no boundary
 * between the users of one machine, so a local server needs its token as much as a public one.
 */

export const MAX_BODY_BYTES = 64 * 1024;
/**
 * `importCall` carries a dump's text in its JSON: up to the contract's limit, with room for JSON's
 * escaping of that text (a webrtc-internals dump is JSON inside JSON: quotes and backslashes double).
 */
export const MAX_CALL_IMPORT_BODY_BYTES = 2 * MAX_CALL_DUMP_CHARS + MAX_BODY_BYTES;
const SSE_HEARTBEAT_MS = 15_000;

export type ServeOptions = ServeSettings &
  (
    | {
        /** The engine process (supervisor.ts), as `rtc-triage serve` runs it; the caller closes it. */
        engine: EngineClient;
      }
    | {
        /** A service in this process (tests of the HTTP face); the caller closes it after the server. */
        service: TriageService;
      }
  );

interface ServeSettings {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** Every request must carry it (serve-auth.ts); a random one when not given. */
  token?: string;
}

export interface ServeHandle {
  /** The server's base address, without the token (an API request sends the token as a bearer). */
  url: string;
  /** The address to open: `url` with `?token=…`, as `serve` prints it; the page swaps it for a cookie. */
  address: string;
  token: string;
  close(): Promise<void>;
}

export async function startServe(options: ServeOptions): Promise<ServeHandle> {
  const token = options.token ?? newToken();
  if (token.length < MIN_TOKEN_LENGTH)
    throw new TriageError('USAGE', `serve: the access token must be at least ${MIN_TOKEN_LENGTH} characters`);
  const rendererDir = resolve(options.rendererDir);
  const engine = 'engine' in options ? options.engine : inProcessEngine(options.service);
  const streams = new Set<ServerResponse>();
  const files = await ServeFiles.create();
  let hostAllowed: (hostHeader: string) => boolean = () => false;
  let port = 0;

  const server = createServer((req, res) => {
    setCommonHeaders(res);
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        sendCallError(res, { code: 'INTERNAL', message: `internal error: ${String(error)}` });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!isOwnRequest(req, hostAllowed)) {
      sendCallError(res, {
        code: 'HOST_REFUSED',
        message: 'this server only answers requests addressed to itself',
      });
      return;
    }
    const check = checkToken(req, res, { token, port });
    if (check === 'missing') {
      sendCallError(res, {
        code: 'TOKEN_REQUIRED',
        message: 'this RTC Triage server needs its access token: open the address `rtc-triage serve` printed',
      });
      return;
    }
    if (check !== 'ok') {
      res.writeHead(303, { Location: check.redirect, 'Cache-Control': 'no-store' });
      res.end();
      return;
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith('/api/call/')) return handleCall(req, res, path.slice('/api/call/'.length));
    if (path === '/api/events') return handleEvents(req, res);
    if (path.startsWith('/api/download/'))
      return handleDownload(req, res, path.slice('/api/download/'.length));
    if (path.startsWith('/api/')) {
      sendCallError(res, { code: 'NOT_FOUND', message: `no API route ${path}` });
      return;
    }
    return serveStatic(req, res, rendererDir, path);
  }

  async function handleCall(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      sendCallError(res, { code: 'METHOD_NOT_ALLOWED', message: 'API calls are POST requests' });
      return;
    }
    const name = decodeSegment(method);
    const type = req.headers['content-type'] ?? '';
    if (name === 'openBundle' && /^application\/(zip|octet-stream)\b/i.test(type))
      return handleUpload(req, res);
    // A JSON content type cannot be sent cross-site without a CORS preflight, which this server never
    // grants: a second wall behind the Origin check. (So can't the upload's zip type.)
    if (!/^application\/json\b/i.test(type)) {
      sendCallError(res, {
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'send the arguments as application/json',
      });
      return;
    }
    const limit = name === 'importCall' ? MAX_CALL_IMPORT_BODY_BYTES : MAX_BODY_BYTES;
    const body = await readBody(req, limit);
    if (body === 'too-large') return sendTooLarge(res, limit);
    let args: unknown;
    try {
      args = body.length === 0 ? undefined : JSON.parse(body.toString('utf8'));
    } catch (error) {
      sendCallError(res, {
        code: 'BAD_REQUEST',
        message: `the request body is not valid JSON: ${(error as Error).message}`,
      });
      return;
    }
    const context: CallContext = { exportTarget: (fileName) => files.reserveDownload(fileName) };
    sendResult(res, await engine.call(name, args, context));
  }

  /** `openBundle` with the bundle's bytes: kept in a private temp file only while it is read. */
  async function handleUpload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, MAX_BUNDLE_UPLOAD_BYTES);
    if (body === 'too-large') return sendTooLarge(res, MAX_BUNDLE_UPLOAD_BYTES);
    const upload = await files.saveUpload(body);
    try {
      const name = uploadName(req.headers['x-bundle-name']);
      const result = await engine.call(
        'openBundle',
        {},
        {
          bundleToOpen: async () => ({ path: upload.path, name }),
        },
      );
      sendResult(res, result);
    } finally {
      await upload.remove();
    }
  }

  async function handleDownload(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    if (req.method !== 'GET') {
      res.setHeader('Allow', 'GET');
      sendCallError(res, { code: 'METHOD_NOT_ALLOWED', message: 'a download is a GET request' });
      return;
    }
    const download = /^[0-9a-f]{32}$/.test(id) ? files.take(id) : null;
    const size = download
      ? await stat(download.path).then(
          (info) => info.size,
          () => null,
        )
      : null;
    if (!download || size === null) {
      await download?.done();
      sendCallError(res, {
        code: 'NOT_FOUND',
        message: 'no such download (each export downloads once, within 10 minutes)',
      });
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'application/zip',
      'Content-Length': String(size),
      'Content-Disposition': `attachment; filename="${download.fileName}"`,
      'Cache-Control': 'no-store',
    });
    res.on('close', () => void download.done());
    createReadStream(download.path)
      .on('error', () => res.destroy())
      .pipe(res);
  }

  function handleEvents(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET') {
      res.setHeader('Allow', 'GET');
      sendCallError(res, { code: 'METHOD_NOT_ALLOWED', message: 'the event stream is a GET request' });
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
    const unsubscribe = engine.onEvent(write);
    const heartbeat = setInterval(() => res.write(': ping\n\n'), SSE_HEARTBEAT_MS);
    heartbeat.unref();
    streams.add(res);
    res.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    });
  }

  try {
    await new Promise<void>((resolveListen, rejectListen) => {
      server.once('error', rejectListen);
      server.listen(options.port, options.host, () => {
        server.off('error', rejectListen);
        resolveListen();
      });
    });
  } catch (error) {
    await files.close();
    throw error;
  }
  port = (server.address() as AddressInfo).port;
  hostAllowed = hostPolicy(options.host, port);

  const url = `http://${hostForUrl(options.host)}:${port}/`;
  return {
    url,
    address: `${url}?token=${encodeURIComponent(token)}`,
    token,
    close: async () => {
      await new Promise<void>((resolveClose) => {
        for (const stream of streams) stream.end();
        streams.clear();
        server.close(() => resolveClose());
        server.closeAllConnections();
      });
      await files.close();
    },
  };
}

function sendResult(res: ServerResponse, result: CallResult): void {
  sendJson(res, result.ok ? 200 : httpStatusFor(result.error.code), result);
}

/** The uploaded file's name as the page gave it, for display only: never used as a path. */
function uploadName(header: string | string[] | undefined): string {
  const raw = typeof header === 'string' ? safeDecode(header) : '';
  const name = raw
    .replace(/^.*[\\/]/, '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .slice(0, 200);
  return name || 'uploaded bundle';
}
