import { z } from 'zod';
import { iceServersOf, policyOf, type DumpEvent, type DumpPeerConnection, type ParsedDump } from './dump';
import { CallDumpError, maybeJson, type DumpLimits } from './read';

/**
 * chrome://webrtc-internals "Create a WebRTC-Internals dump" (Chromium 156 writes this; older
 * versions differ where noted): `PeerConnections` keyed by `<pid>-<lid>`, each with its
 * `rtcConfiguration` (JSON text without credentials; before ~M110 a `{ iceServers: [url, …], … }`
 * string), `constraints`, `updateLog` (API calls and events, each value as text, `timestamp` in epoch
 * ms; older dumps have a `time` string) and `stats` (`<statsId>-<property>` → a time series whose
 * `values` is JSON text of an array).
 */
const UpdateSchema = z
  .object({
    type: z.string().max(128),
    value: z.unknown().optional(),
    timestamp: z.number().optional(),
    time: z.string().max(64).optional(),
  })
  .loose();

const SeriesSchema = z
  .object({
    statsType: z.string().max(64),
    values: z.string(),
  })
  .loose();

const PeerConnectionSchema = z
  .object({
    rtcConfiguration: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
    constraints: z.unknown().optional(),
    updateLog: z.array(UpdateSchema).default([]),
    stats: z.record(z.string(), SeriesSchema).default({}),
    url: z.string().optional(),
  })
  .loose();

export const WebRtcInternalsSchema = z
  .object({
    getUserMedia: z.array(z.unknown()).optional(),
    PeerConnections: z.record(z.string().max(128), PeerConnectionSchema),
    UserAgent: z.string().max(1024).optional(),
  })
  .loose();

export function looksLikeWebRtcInternals(value: unknown): boolean {
  return !!value && typeof value === 'object' && 'PeerConnections' in value;
}

export function parseWebRtcInternals(value: unknown, name: string, limits: DumpLimits): ParsedDump {
  const parsed = WebRtcInternalsSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CallDumpError(name, issue?.message ?? 'invalid', issue?.path.join('.') || '(root)');
  }
  const entries = Object.entries(parsed.data.PeerConnections);
  if (entries.length > limits.maxPeerConnections)
    throw new CallDumpError(
      name,
      `it has ${entries.length} peer connections (at most ${limits.maxPeerConnections} are read)`,
      'PeerConnections',
    );
  const peerConnections = entries.map(([id, pc]): DumpPeerConnection => {
    if (pc.updateLog.length > limits.maxEventsPerConnection)
      throw new CallDumpError(
        name,
        `${pc.updateLog.length} entries (at most ${limits.maxEventsPerConnection})`,
        `PeerConnections.${id}.updateLog`,
      );
    const config = configurationOf(pc.rtcConfiguration, limits.maxDepth);
    return {
      id,
      iceServers: config.iceServers,
      iceTransportPolicy: config.policy,
      events: pc.updateLog.map((u): DumpEvent => ({
        type: u.type,
        value: maybeJson(u.value, limits.maxDepth),
        at: u.timestamp ?? (u.time ? Date.parse(u.time) : Number.NaN),
      })),
      stats: newestStats(pc.stats, limits.maxDepth),
    };
  });
  return { format: 'webrtc-internals', userAgent: parsed.data.UserAgent ?? null, peerConnections };
}

/** Names that would reach an object's prototype if used as a key: a dump is data, never that. */
export const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const ICE_URL = /\b(?:stuns?|turns?):[^\s,\]}"']+/g;

function configurationOf(raw: unknown, maxDepth: number) {
  const decoded = maybeJson(raw, maxDepth);
  if (decoded && typeof decoded === 'object')
    return { iceServers: iceServersOf(decoded), policy: policyOf(decoded) };
  // the older, non-JSON rendering: `{ iceServers: [turn:a:3478, stun:b], iceTransportPolicy: relay, … }`
  const text = typeof raw === 'string' ? raw : '';
  const urls = [...new Set(text.match(ICE_URL) ?? [])].slice(0, 64);
  const policy = /iceTransportPolicy:\s*(\w+)/.exec(text)?.[1] ?? null;
  return { iceServers: urls.map((url) => ({ urls: [url] })), policy };
}

/** `<statsId>-<property>` series → each stats object with the newest value of each property. */
function newestStats(series: Record<string, { statsType: string; values: string }>, maxDepth: number) {
  const stats = new Map<string, Record<string, unknown>>();
  for (const [key, entry] of Object.entries(series)) {
    const dash = key.lastIndexOf('-');
    if (dash <= 0) continue;
    const property = key.slice(dash + 1);
    if (property.startsWith('[') || UNSAFE_KEYS.has(property)) continue; // rates the page computed, not stats
    const values = maybeJson(entry.values, maxDepth);
    if (!Array.isArray(values) || values.length === 0) continue;
    const id = key.slice(0, dash);
    if (UNSAFE_KEYS.has(id)) continue;
    let report = stats.get(id);
    if (!report) {
      report = { type: entry.statsType };
      stats.set(id, report);
    }
    report[property] = values[values.length - 1];
  }
  return stats;
}
