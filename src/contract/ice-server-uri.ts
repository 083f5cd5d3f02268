/** STUN/TURN URIs per RFC 7064 / RFC 7065. Parsed here so the UI editor and the engine agree. */
export interface IceServerUri {
  scheme: 'stun' | 'stuns' | 'turn' | 'turns';
  host: string;
  port: number;
  transport: 'udp' | 'tcp' | 'tls';
}

const DEFAULT_PORTS = { stun: 3478, turn: 3478, stuns: 5349, turns: 5349 } as const;

/**
 * Parses `stun:host[:port]`, `turn:host[:port][?transport=udp|tcp]` and the `s` variants; returns a reason on
 * failure. `?transport=tcp` is also accepted on `stun:` (outside RFC 7064, but common in ICE server lists).
 */
export function parseIceServerUri(raw: string): IceServerUri | { error: string } {
  const match =
    /^(stuns?|turns?):(\[[0-9a-fA-F:.]+\]|[^:?/[\]@\s]+)(?::(\d{1,5}))?(?:\?transport=(udp|tcp))?$/.exec(raw);
  if (!match) {
    return {
      error: `"${raw}" is not a STUN/TURN URL (expected e.g. stun:host:3478 or turn:host:3478?transport=udp)`,
    };
  }
  const scheme = match[1] as IceServerUri['scheme'];
  const hostPart = match[2] as string;
  const host = hostPart.startsWith('[') ? hostPart.slice(1, -1) : hostPart;
  const port = match[3] === undefined ? DEFAULT_PORTS[scheme] : Number(match[3]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return { error: `port ${match[3]} is out of range (1-65535)` };
  }
  const secure = scheme === 'stuns' || scheme === 'turns';
  const transportParam = match[4] as 'udp' | 'tcp' | undefined;
  if (secure && transportParam === 'udp') {
    return { error: `${scheme}: runs over TLS, so ?transport=udp is not allowed` };
  }
  const transport: IceServerUri['transport'] = secure ? 'tls' : (transportParam ?? 'udp');
  return { scheme, host, port, transport };
}

/**
 * The server a STUN/TURN URL names, as `host:port` (`[v6]:port`): the URLs of one server (udp, tcp,
 * tls) share its TURN credentials. A URL that does not parse is its own key.
 */
export function iceServerKey(raw: string): string {
  const parsed = parseIceServerUri(raw);
  if ('error' in parsed) return raw;
  const host = parsed.host.toLowerCase();
  return `${host.includes(':') ? `[${host}]` : host}:${parsed.port}`;
}
