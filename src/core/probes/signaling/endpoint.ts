/**
 * The URLs a signaling probe connects to, built from the target's parsed form (contract/target-url.ts:
 * scheme, host, port and path, parsed once when the targets were loaded; a URL that does not parse
 * never reaches a probe, `resolveTargets` refuses it with a typed error naming the target and the
 * field). The parsed form holds no secret by design; the two parts it leaves out — the userinfo
 * and the query, tokens included — are taken from the URL as configured (`connectUrl`), which only
 * the probe that connects reads.
 */
import type { ParsedSignalingTarget } from '../../../contract';
import { connectUrl } from '../types';

export interface SignalingEndpointTarget {
  url: string;
  connectUrl?: string;
  parsed: ParsedSignalingTarget;
}

export interface EndpointOptions {
  /** `ws(s)://` for a WebSocket, `http(s)://` for a plain request: the same server either way. */
  protocol: 'websocket' | 'http';
  /** The path to reach (default: the target's own); a PeerJS server's endpoints sit under it. */
  path?: string;
  /** Keep the configured query (a GUN relay's token); the PeerJS endpoints have their own parameters. */
  query?: boolean;
}

export function signalingEndpoint(target: SignalingEndpointTarget, options: EndpointOptions): URL {
  const { host, port, secure, path } = target.parsed;
  const scheme = options.protocol === 'websocket' ? (secure ? 'wss' : 'ws') : secure ? 'https' : 'http';
  const url = new URL(`${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`);
  url.pathname = options.path ?? path;
  const configured = configuredParts(connectUrl(target));
  url.username = configured.username;
  url.password = configured.password;
  if (options.query !== false) url.search = configured.search;
  return url;
}

/** The userinfo and query as configured; nothing when the URL has none (it was checked when loaded). */
function configuredParts(raw: string): { username: string; password: string; search: string } {
  try {
    const url = new URL(raw);
    return { username: url.username, password: url.password, search: url.search };
  } catch {
    return { username: '', password: '', search: '' };
  }
}

/** The directory form of a path: a PeerJS server's endpoints are `<path>/<key>/id` and `<path>/peerjs`. */
export function underPath(path: string, ...segments: string[]): string {
  return `${path.endsWith('/') ? path : `${path}/`}${segments.join('/')}`;
}
