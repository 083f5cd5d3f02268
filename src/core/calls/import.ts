import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { basename } from 'node:path';
import { CALL_SCHEMA, CallSchema, parseIceServerUri, type Call, type CallOutcome } from '../../contract';
import { Redactor } from '../bundle/redact';
import type { DumpIceServer, ParsedDump } from './dump';
import { extractPeerConnection } from './extract';
import { observationsFor } from './observations';
import {
  CallDumpError,
  checkDumpText,
  DEFAULT_DUMP_LIMITS,
  parseJson,
  readDumpText,
  type DumpLimits,
} from './read';
import { looksLikeRtcStats, parseRtcStats } from './rtcstats';
import { looksLikeWebRtcInternals, parseWebRtcInternals } from './webrtc-internals';

/**
 * What a reproduction needs and the stored call must not hold: the ICE servers as the app gave them,
 * credentials included. Kept in memory by whoever imported the call, never written anywhere.
 */
export interface ReproductionPlan {
  callId: string;
  iceServers: DumpIceServer[];
}

export interface ImportedCall {
  /** The call as stored and shown: redacted like a bundle (docs/calls.md "Redaction"). */
  call: Call;
  plan: ReproductionPlan;
}

export interface ImportOptions {
  /** The name to show for the file (default: its base name). */
  name?: string;
  limits?: DumpLimits;
  now?: Date;
  machine?: { hostname: string; username: string };
}

/** Parses a dump of either format, whichever it is. Throws `CallDumpError` naming what is wrong. */
export function parseDump(text: string, name: string, limits: DumpLimits = DEFAULT_DUMP_LIMITS): ParsedDump {
  const start = text.trimStart();
  let dump: ParsedDump;
  if (start.startsWith('{')) {
    const value = parseJson(text, name, '(root)', limits.maxDepth);
    if (!looksLikeWebRtcInternals(value))
      throw new CallDumpError(
        name,
        'a JSON object without "PeerConnections": not a chrome://webrtc-internals dump',
        '(root)',
      );
    dump = parseWebRtcInternals(value, name, limits);
  } else if (looksLikeRtcStats(start)) {
    dump = parseRtcStats(text, name, limits);
  } else {
    throw new CallDumpError(
      name,
      'neither a chrome://webrtc-internals dump (a JSON object) nor an rtcstats dump (JSON lines)',
    );
  }
  if (dump.peerConnections.length === 0)
    throw new CallDumpError(name, 'it records no RTCPeerConnection: there is no call in it');
  return dump;
}

/** Reads, parses and extracts a dump file: the redacted call and, apart, what reproducing it needs. */
export function importCallFile(file: string, options: ImportOptions = {}): ImportedCall {
  const name = options.name ?? basename(file);
  const limits = options.limits ?? DEFAULT_DUMP_LIMITS;
  return callFromDump(parseDump(readDumpText(file, name, limits), name, limits), name, options);
}

/**
 * A dump's text as a face uploaded it (decompressed by the page). `name` is the file's name as the
 * page gave it: only its last segment, without control characters, is kept, for display.
 */
export function importCallText(text: string, name: string, options: ImportOptions = {}): ImportedCall {
  const shown = displayName(name);
  const limits = options.limits ?? DEFAULT_DUMP_LIMITS;
  return callFromDump(parseDump(checkDumpText(text, shown, limits), shown, limits), shown, options);
}

function displayName(name: string): string {
  const base = name
    .replace(/^.*[\\/]/, '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .slice(0, 255);
  return base || 'uploaded dump';
}

export function callFromDump(dump: ParsedDump, name: string, options: ImportOptions = {}): ImportedCall {
  const id = randomUUID();
  const peerConnections = dump.peerConnections.map(extractPeerConnection);
  const starts = peerConnections
    .map((pc) => pc.startedAt)
    .filter((s): s is string => !!s)
    .sort();
  const raw: Call = {
    schema: CALL_SCHEMA,
    id,
    format: dump.format,
    source: name.slice(0, 255),
    importedAt: (options.now ?? new Date()).toISOString(),
    startedAt: starts[0] ?? null,
    userAgent: dump.userAgent,
    outcome: overallOutcome(peerConnections.map((pc) => pc.outcome)),
    peerConnections,
    observations: peerConnections.flatMap(observationsFor),
    reproducedRunId: null,
  };
  const servers = dump.peerConnections.flatMap((pc) => pc.iceServers);
  const redactor = new Redactor({
    addresses: true,
    keepHosts: servers.flatMap((s) => s.urls).flatMap(hostOf),
    secrets: servers.flatMap((s) => [s.username ?? '', s.credential ?? '']).filter(Boolean),
    machineNames: machineNames(options.machine),
  });
  // the browser's version (`Chrome/140.0.0.0`) reads as an IPv4 address to the redactor: it is no address
  const call = CallSchema.parse({ ...redactor.value({ ...raw, userAgent: null }), userAgent: raw.userAgent });
  return { call, plan: { callId: id, iceServers: uniqueServers(servers) } };
}

/** The call worked if one of its connections did; else the worst that happened. */
function overallOutcome(outcomes: readonly CallOutcome[]): CallOutcome {
  for (const outcome of ['connected', 'dropped', 'failed'] as const)
    if (outcomes.includes(outcome)) return outcome;
  return 'never-connected';
}

function hostOf(url: string): string[] {
  const parsed = parseIceServerUri(url);
  return 'error' in parsed ? [] : [parsed.host];
}

function uniqueServers(servers: readonly DumpIceServer[]): DumpIceServer[] {
  const seen = new Set<string>();
  return servers.filter((s) => {
    const key = JSON.stringify([s.urls, s.username ?? null, s.credential ?? null]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function machineNames(given?: { hostname: string; username: string }): string[] {
  if (given) return [given.hostname, given.username];
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? '';
  }
  return [hostname(), user];
}
