import { z } from 'zod';
import { iceServersOf, policyOf, type DumpPeerConnection, type ParsedDump } from './dump';
import { CallDumpError, parseJson, type DumpLimits } from './read';
import { UNSAFE_KEYS } from './webrtc-internals';

/**
 * rtcstats dumps (github.com/rtcstats/rtcstats, packages/rtcstats-server/docs/file-format.md): JSON
 * lines. Format 3 starts with a line `RTCStatsDump` and a metadata object (`fileFormat`), then one
 * array per event, `[method, peerConnectionId|null, value, …, timestamp]`, the method possibly
 * compressed to a number from a static table and the timestamp a delta to the previous line's (the
 * first is absolute). Older dumps (fippo/rtcstats) have no header and absolute timestamps. `getStats`
 * values are delta-compressed (only what changed; `null` removes an object), and in format 3 stats
 * property names and types may be compressed to numbers too.
 *
 * Only the table entries this importer reads are decoded; other names pass through as they are.
 */
const METHODS: Record<string, string> = {
  1: 'getStats',
  g: 'getStats',
  getstats: 'getStats',
  10: 'addIceCandidate',
  20: 'onicecandidate',
  21: 'onicecandidateerror',
  23: 'onsignalingstatechange',
  24: 'oniceconnectionstatechange',
  25: 'onconnectionstatechange',
  26: 'onicegatheringstatechange',
  36: 'close',
  38: 'setConfiguration',
  39: 'create',
};

const PROPERTIES: Record<string, string> = {
  t: 'timestamp',
  5: 'transportId',
  41: 'bytesReceived',
  75: 'roundTripTime',
  76: 'totalRoundTripTime',
  80: 'bytesSent',
  116: 'protocol',
  118: 'state',
  124: 'iceState',
  125: 'selectedCandidatePairId',
  134: 'address',
  135: 'port',
  136: 'candidateType',
  138: 'url',
  139: 'relayProtocol',
  148: 'localCandidateId',
  149: 'remoteCandidateId',
  150: 'nominated',
  152: 'currentRoundTripTime',
  156: 'requestsSent',
  157: 'responsesReceived',
};

const TYPES: Record<string, string> = {
  5: 'transport',
  6: 'candidate-pair',
  7: 'local-candidate',
  8: 'remote-candidate',
  9: 'data-channel',
  10: 'peer-connection',
};

const HEADER = 'RTCStatsDump';

/** A table entry, never an inherited property (`constructor`, `__proto__` are names in a hostile dump). */
const lookup = (table: Record<string, string>, key: string): string | undefined =>
  Object.hasOwn(table, key) ? table[key] : undefined;

const LineSchema = z
  .tuple([z.union([z.string().max(128), z.number()]), z.union([z.string().max(128), z.null()])], z.unknown())
  .refine((line) => line.length >= 4 && typeof line[line.length - 1] === 'number', {
    message: 'expected [method, peerConnectionId, value, …, timestamp] ending with a numeric timestamp',
  });

export function looksLikeRtcStats(text: string): boolean {
  const start = text.trimStart();
  return start.startsWith(`${HEADER}\n`) || start.startsWith(`${HEADER}\r\n`) || start.startsWith('[');
}

export function parseRtcStats(text: string, name: string, limits: DumpLimits): ParsedDump {
  const lines = text.split('\n');
  if (lines.length > limits.maxLines)
    throw new CallDumpError(name, `it has ${lines.length} lines (at most ${limits.maxLines} are read)`);
  let index = 0;
  while (index < lines.length && (lines[index] as string).trim() === '') index++;
  const hasHeader = (lines[index] ?? '').trim() === HEADER;
  if (hasHeader) index++;
  let metadata: Record<string, unknown> = {};
  const connections = new Map<string, DumpPeerConnection>();
  const bases = new Map<string, Map<string, Record<string, unknown>>>();
  let clock = 0;
  const deltas = () => (typeof metadata.fileFormat === 'number' ? metadata.fileFormat >= 3 : hasHeader);
  for (; index < lines.length; index++) {
    const text = (lines[index] as string).trim();
    if (text === '') continue;
    const where = `line ${index + 1}`;
    const value = parseJson(text, name, where, limits.maxDepth);
    if (!Array.isArray(value)) {
      if (
        value &&
        typeof value === 'object' &&
        connections.size === 0 &&
        Object.keys(metadata).length === 0
      ) {
        metadata = value as Record<string, unknown>;
        continue;
      }
      throw new CallDumpError(name, 'expected a JSON array (an rtcstats event)', where);
    }
    const line = LineSchema.safeParse(value);
    if (!line.success) {
      const issue = line.error.issues[0];
      const at = issue?.path.length ? ` (item ${issue.path.join('.')})` : '';
      throw new CallDumpError(name, `${issue?.message ?? 'invalid'}${at}`, where);
    }
    const [rawMethod, pcId] = line.data;
    const stamp = value[value.length - 1] as number;
    clock = deltas() && clock !== 0 ? clock + stamp : stamp;
    if (pcId === null) continue; // getUserMedia and the like: not about a connection
    const method = lookup(METHODS, String(rawMethod)) ?? String(rawMethod);
    let pc = connections.get(pcId);
    if (!pc) {
      if (connections.size >= limits.maxPeerConnections)
        throw new CallDumpError(name, `more than ${limits.maxPeerConnections} peer connections`, where);
      pc = { id: pcId, iceServers: [], iceTransportPolicy: null, events: [], stats: new Map() };
      connections.set(pcId, pc);
      bases.set(pcId, pc.stats);
    }
    if (pc.events.length >= limits.maxEventsPerConnection)
      throw new CallDumpError(name, `more than ${limits.maxEventsPerConnection} events for ${pcId}`, where);
    const payload = value[2];
    if (method === 'create' || method === 'setConfiguration') {
      pc.iceServers = iceServersOf(payload);
      pc.iceTransportPolicy = policyOf(payload);
    } else if (method === 'getStats') {
      applyStatsDelta(pc.stats, payload);
      continue;
    }
    pc.events.push({ type: method, value: payload, at: clock });
  }
  const userAgent = typeof metadata.userAgent === 'string' ? metadata.userAgent.slice(0, 1024) : null;
  return { format: 'rtcstats', userAgent, peerConnections: [...connections.values()] };
}

/** Applies one getStats delta to the newest stats of a connection (docs above). */
function applyStatsDelta(stats: Map<string, Record<string, unknown>>, delta: unknown): void {
  if (!delta || typeof delta !== 'object' || Array.isArray(delta)) return;
  let timestamp: unknown;
  for (const [rawId, report] of Object.entries(delta as Record<string, unknown>)) {
    if (rawId === 't' || rawId === 'timestamp') {
      timestamp = report;
      continue;
    }
    if (UNSAFE_KEYS.has(rawId)) continue;
    if (report === null) {
      stats.delete(rawId);
      continue;
    }
    if (typeof report !== 'object' || Array.isArray(report)) continue;
    const merged = { ...(stats.get(rawId) ?? {}) };
    for (const [rawName, item] of Object.entries(report as Record<string, unknown>)) {
      const name = lookup(PROPERTIES, rawName) ?? rawName;
      if (UNSAFE_KEYS.has(name)) continue;
      merged[name] = name === 'type' ? (lookup(TYPES, String(item)) ?? item) : item;
    }
    stats.set(rawId, merged);
  }
  if (typeof timestamp === 'number') for (const report of stats.values()) report.timestamp ??= timestamp;
}
