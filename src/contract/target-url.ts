import type { Target } from './config';
import { parseIceServerUri, type IceServerUri } from './ice-server-uri';
import { parseTransportSpec, type TransportSpec } from './matrix';
import { urlHasSecret } from './public-url';
import { PUBLIC_PEERJS_KEY } from './secrets';

/**
 * A target's URL, parsed once when the targets are loaded (core/config/targets.ts): probes, checks,
 * the transport matrix and the bundle's config read these fields instead of parsing the URL again.
 */

/** The address family a host names by itself: an IPv4 or IPv6 literal; null for a DNS name. */
export type FamilyHint = 4 | 6 | null;

export interface ParsedIceTarget {
  kind: 'stun' | 'turn';
  scheme: IceServerUri['scheme'];
  host: string;
  port: number;
  transport: IceServerUri['transport'];
  family: FamilyHint;
  secure: boolean;
  path: null;
  /** Where the secret is: the TURN target's `username`/`credential` fields (never the values). */
  credentials: 'turn-credentials' | null;
  /** TURN: the transport matrix's extra columns as the config lists them; null: the usual ones. */
  transports: TransportSpec[] | null;
}

export interface ParsedSignalingTarget {
  kind: 'gun' | 'peerjs';
  scheme: 'http' | 'https' | 'ws' | 'wss';
  /** Without the brackets of an IPv6 literal. */
  host: string;
  port: number;
  transport: 'tcp' | 'tls';
  family: FamilyHint;
  secure: boolean;
  /** The URL's path, `/` at least. */
  path: string;
  /** Where a secret is: in the URL (userinfo, a token parameter), a PeerJS key of its own, or none. */
  credentials: 'url' | 'peerjs-key' | null;
  transports: null;
}

export type ParsedTarget = ParsedIceTarget | ParsedSignalingTarget;

export function familyHint(host: string): FamilyHint {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return 4;
  return host.includes(':') ? 6 : null;
}

const SIGNALING_PORTS = { http: 80, ws: 80, https: 443, wss: 443 } as const;

function parseSignalingUrl(
  raw: string,
): Omit<ParsedSignalingTarget, 'kind' | 'credentials'> | { error: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { error: 'the URL is not valid (expected e.g. https://host/gun or wss://host:9000/peerjs)' };
  }
  const scheme = url.protocol.slice(0, -1);
  if (scheme !== 'http' && scheme !== 'https' && scheme !== 'ws' && scheme !== 'wss')
    return { error: `the URL must start with http(s):// or ws(s)://, not ${url.protocol}` };
  if (url.hostname === '') return { error: 'the URL has no host' };
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port === '' ? SIGNALING_PORTS[scheme] : Number(url.port);
  const secure = scheme === 'https' || scheme === 'wss';
  return {
    scheme,
    host,
    port,
    transport: secure ? 'tls' : 'tcp',
    family: familyHint(host),
    secure,
    path: url.pathname || '/',
    transports: null,
  };
}

/**
 * The one parser of a target's URL (and a TURN target's `transports`). A reason on failure, which
 * the config check shows against the field and `resolveTargets` turns into a typed error naming the target.
 */
export function parseTargetUrl(target: Target): ParsedTarget | { error: string } {
  if (target.kind === 'gun' || target.kind === 'peerjs') {
    const url = parseSignalingUrl(target.url);
    if ('error' in url) return url;
    const credentials = urlHasSecret(target.url)
      ? 'url'
      : target.kind === 'peerjs' && target.key !== undefined && target.key !== PUBLIC_PEERJS_KEY
        ? 'peerjs-key'
        : null;
    return { kind: target.kind, ...url, credentials };
  }
  const uri = parseIceServerUri(target.url);
  if ('error' in uri) return uri;
  const wanted = target.kind === 'stun' ? ['stun', 'stuns'] : ['turn', 'turns'];
  if (!wanted.includes(uri.scheme))
    return { error: `a ${target.kind} target needs a ${wanted.join(':/')}: URL, got ${uri.scheme}:` };
  let transports: TransportSpec[] | null = null;
  if (target.kind === 'turn' && target.transports) {
    transports = [];
    for (const raw of target.transports) {
      const spec = parseTransportSpec(raw);
      if ('error' in spec) return { error: `transports: ${spec.error}` };
      transports.push(spec);
    }
  }
  return {
    kind: target.kind,
    ...uri,
    family: familyHint(uri.host),
    secure: uri.transport === 'tls',
    path: null,
    credentials: target.kind === 'turn' ? 'turn-credentials' : null,
    transports,
  };
}

/**
 * The host a STUN/TURN or signaling URL names, by the same parsers (stored targets and call dumps,
 * which are URLs without a target around them), or null for anything else (`local:machine`).
 */
export function hostOfUrl(raw: string): string | null {
  const ice = parseIceServerUri(raw);
  if (!('error' in ice)) return ice.host;
  const signaling = parseSignalingUrl(raw);
  return 'error' in signaling ? null : signaling.host;
}
