/**
 * The PeerJS wire protocol, spoken over raw HTTP and WebSockets (no PeerJS client library): GET a
 * peer id, open a peer with key/id/token and wait for OPEN, then exchange `{ type, dst, payload }`
 * messages that the server delivers with `src`. Shared by the PeerJS probes.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type WebSocket from 'ws';
import { PUBLIC_PEERJS_KEY } from '../../../contract';
import { classifyError } from '../classify';
import { serverText } from '../server-text';
import { ProbeFailure, type ProbeContext } from '../types';
import { connectionLost, frameText, MAX_FRAME_BYTES, openWebSocket, type OpenSocket } from './websocket';
import { signalingEndpoint, underPath, type SignalingEndpointTarget } from './endpoint';

export interface PeerJsMessage {
  type?: unknown;
  src?: unknown;
  dst?: unknown;
  payload?: unknown;
}

/**
 * A PeerJS server at `http://host:9000/app` → the id endpoint (`/app/<key>/id`) and the WebSocket
 * endpoint (`/app/peerjs`) a PeerJS client uses, from the target's parsed URL.
 */
export function peerJsEndpoints(
  target: SignalingEndpointTarget,
  key: string,
): { id: URL; socket: (id: string, token: string) => URL } {
  const { path } = target.parsed;
  const idUrl = signalingEndpoint(target, {
    protocol: 'http',
    path: underPath(path, encodeURIComponent(key), 'id'),
    query: false,
  });
  idUrl.searchParams.set('ts', String(Date.now()));
  return {
    id: idUrl,
    socket: (id, token) => {
      const ws = signalingEndpoint(target, {
        protocol: 'websocket',
        path: underPath(path, 'peerjs'),
        query: false,
      });
      ws.searchParams.set('key', key);
      ws.searchParams.set('id', id);
      ws.searchParams.set('token', token);
      return ws;
    },
  };
}

export interface OpenPeer {
  socket: WebSocket;
  /** The connection under the peer (it knows whether the server broke the WebSocket protocol). */
  link: OpenSocket;
  onMessage: (message: PeerJsMessage) => void;
  onClose: (who: string) => void;
}

/** Opens one PeerJS peer and waits for the server's OPEN; ID-TAKEN and ERROR frames are explained. */
export async function openPeer(
  ctx: ProbeContext,
  url: URL,
  label: string,
  timeoutMs: number,
  stage = 'open',
): Promise<OpenPeer> {
  const link = await openWebSocket(ctx, url, label, stage, timeoutMs);
  const { socket, onFrame } = link;
  return new Promise<OpenPeer>((resolve, reject) => {
    const peer: OpenPeer = { socket, link, onMessage: () => {}, onClose: () => {} };
    let opened = false;
    const timer = ctx.resources.timeout(`${label} OPEN deadline`, timeoutMs, () =>
      fail(
        new ProbeFailure(
          'timeout',
          stage,
          `${label}: the PeerJS server accepted the socket but never sent OPEN within ${timeoutMs} ms`,
        ),
      ),
    );
    const onAbort = () => fail(new ProbeFailure('aborted', stage, 'cancelled'));
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const fail = (error: ProbeFailure) => {
      timer.release();
      ctx.signal.removeEventListener('abort', onAbort);
      if (!opened) reject(error);
    };
    onFrame((data) => {
      const text = frameText(data);
      let message: PeerJsMessage | null;
      try {
        const parsed: unknown = text === null ? null : JSON.parse(text);
        message =
          typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
            ? (parsed as PeerJsMessage)
            : null;
      } catch {
        message = null;
      }
      if (!message) {
        if (!opened)
          fail(
            new ProbeFailure(
              'malformed-reply',
              stage,
              `${label}: the server sent something that is not a PeerJS message`,
            ),
          );
        return;
      }
      if (!opened) {
        if (message.type === 'OPEN') {
          opened = true;
          timer.release();
          ctx.signal.removeEventListener('abort', onAbort);
          resolve(peer);
        } else if (message.type === 'ID-TAKEN') {
          fail(
            new ProbeFailure(
              'server-error',
              stage,
              `${label}: the PeerJS server says the id is taken by another client`,
              { peerjsError: 'id-taken' },
            ),
          );
        } else if (message.type === 'ERROR') {
          const msg = plainText((message.payload as { msg?: unknown } | null | undefined)?.msg);
          const invalidKey = /invalid key/i.test(msg);
          fail(
            new ProbeFailure(
              'server-error',
              stage,
              invalidKey
                ? `${label}: the PeerJS server refused ${shownKey(url.searchParams.get('key'))} (Invalid key): the app's PeerJS key does not match the server's`
                : `${label}: the PeerJS server refused the connection: ${msg}`,
              { peerjsError: invalidKey ? 'invalid-key' : msg },
            ),
          );
        }
        return;
      }
      peer.onMessage(message);
    });
    socket.on('close', () => {
      if (!opened)
        fail(
          connectionLost(
            link,
            stage,
            `${label}: the PeerJS server`,
            `${label}: the PeerJS server closed the connection during the handshake`,
          ),
        );
      else peer.onClose(label);
    });
    socket.on('error', () => {});
  });
}

/** The public default key is named; any other key is a secret and never goes into a message. */
function shownKey(key: string | null): string {
  return key === PUBLIC_PEERJS_KEY ? `the API key "${key}"` : 'the configured API key';
}

/** `<path>/<key>/id` as a message shows it: the key segment named, not written, unless it is the public default. */
function idPath(url: URL): string {
  return url.pathname.replace(/\/([^/]*)\/id$/, (whole, key: string) =>
    decodeURIComponent(key) === PUBLIC_PEERJS_KEY ? whole : '/<key>/id',
  );
}

/** GET <path>/<key>/id: a fresh peer id, as PeerJS clients ask for one. */
export function fetchId(ctx: ProbeContext, url: URL, timeoutMs: number, stage = 'id'): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'GET', headers: { accept: 'text/plain' } });
    ctx.resources.register('tcp-socket', `peerjs id ${url.host}`, () => req.destroy());
    const timer = ctx.resources.timeout('peerjs id deadline', timeoutMs, () => {
      req.destroy();
      reject(
        new ProbeFailure(
          'timeout',
          stage,
          `the PeerJS server did not answer GET ${idPath(url)} within ${timeoutMs} ms`,
        ),
      );
    });
    const onAbort = () => {
      timer.release();
      req.destroy();
      reject(new ProbeFailure('aborted', stage, 'cancelled'));
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const done = () => {
      timer.release();
      ctx.signal.removeEventListener('abort', onAbort);
    };
    req.on('error', (error) => {
      done();
      reject(classifyError(error, stage));
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      let tooLarge = false;
      res.on('data', (chunk: string) => {
        if (tooLarge) return;
        body += chunk;
        if (body.length <= MAX_FRAME_BYTES) return;
        tooLarge = true;
        done();
        req.destroy();
        reject(
          new ProbeFailure(
            'malformed-reply',
            stage,
            `the PeerJS server answered GET ${idPath(url)} with more than ${MAX_FRAME_BYTES / 1024} KB instead of a peer id`,
            { httpStatus: res.statusCode ?? null },
          ),
        );
      });
      res.on('end', () => {
        if (tooLarge) return;
        done();
        const status = res.statusCode ?? 0;
        if (status >= 500) {
          return reject(
            new ProbeFailure(
              'server-error',
              stage,
              `the PeerJS server failed with HTTP ${status} when asked for a peer id (a server-side fault)`,
              { httpStatus: status },
            ),
          );
        }
        if (status === 404) {
          return reject(
            new ProbeFailure(
              'server-error',
              stage,
              `no PeerJS server at ${idPath(url).replace(/\/[^/]*\/id$/, '')} (HTTP 404): check the path and the key`,
              { httpStatus: status },
            ),
          );
        }
        if (status !== 200 || !/^[\w-]{1,128}$/.test(body.trim())) {
          return reject(
            new ProbeFailure(
              'malformed-reply',
              stage,
              `the PeerJS server answered HTTP ${status} with something that is not a peer id`,
              { httpStatus: status },
            ),
          );
        }
        resolve(body.trim());
      });
    });
    req.end();
  });
}

/** A server-sent value as words for a message: strings (capped) and numbers only, never `String(object)`. */
function plainText(value: unknown): string {
  if (typeof value === 'string') return serverText(value, 200) || 'an empty error';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return 'unknown error';
}
