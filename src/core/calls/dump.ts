import type { CallFormat } from '../../contract';

/**
 * The two dump formats read into one shape: per RTCPeerConnection its configuration, its API calls
 * and events in order, and the newest value of every stats object. Credentials are here, in memory
 * only: `import.ts` takes them out before anything is stored or shown.
 */
export interface DumpIceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

export interface DumpEvent {
  /** The API call or event name as Chromium and rtcstats spell it (`onicecandidate`, `oniceconnectionstatechange`, …). */
  type: string;
  /** Its value, JSON-decoded where it was JSON text. */
  value: unknown;
  /** Unix epoch milliseconds. */
  at: number;
}

export interface DumpPeerConnection {
  id: string;
  iceServers: DumpIceServer[];
  iceTransportPolicy: string | null;
  events: DumpEvent[];
  /** Stats object id → its newest report (`type` included). */
  stats: Map<string, Record<string, unknown>>;
}

export interface ParsedDump {
  format: CallFormat;
  userAgent: string | null;
  peerConnections: DumpPeerConnection[];
}

/** Reads `iceServers` from a configuration object, whatever the app put in it: only strings are kept. */
export function iceServersOf(config: unknown): DumpIceServer[] {
  if (!config || typeof config !== 'object') return [];
  const list = (config as { iceServers?: unknown }).iceServers;
  if (!Array.isArray(list)) return [];
  const servers: DumpIceServer[] = [];
  for (const entry of list.slice(0, 64)) {
    if (typeof entry === 'string') {
      servers.push({ urls: [entry] });
      continue;
    }
    if (!entry || typeof entry !== 'object') continue;
    const raw = entry as { urls?: unknown; url?: unknown; username?: unknown; credential?: unknown };
    const urls = (Array.isArray(raw.urls) ? raw.urls : [raw.urls ?? raw.url]).filter(
      (u): u is string => typeof u === 'string' && u.length <= 2048,
    );
    if (urls.length === 0) continue;
    servers.push({
      urls: urls.slice(0, 16),
      ...(typeof raw.username === 'string' ? { username: raw.username } : {}),
      ...(typeof raw.credential === 'string' ? { credential: raw.credential } : {}),
    });
  }
  return servers;
}

export function policyOf(config: unknown): string | null {
  if (!config || typeof config !== 'object') return null;
  const policy = (config as { iceTransportPolicy?: unknown }).iceTransportPolicy;
  return typeof policy === 'string' ? policy.slice(0, 32) : null;
}
