import {
  parseIceServerUri,
  type CallOutcome,
  type CallPeerConnection,
  type CandidateError,
  type SelectedPair,
  type ServerCandidates,
  type StateChange,
} from '../../contract';
import type { DumpEvent, DumpPeerConnection } from './dump';

const STATE_EVENTS: Record<string, StateChange['of']> = {
  oniceconnectionstatechange: 'ice',
  onconnectionstatechange: 'connection',
  onicegatheringstatechange: 'gathering',
  onsignalingstatechange: 'signaling',
};

const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : '');
const text = (value: unknown, max = 512) => (typeof value === 'string' ? value.slice(0, max) : '');
const record = (value: unknown): Record<string, unknown> =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const numberOr = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

interface Candidate {
  type: string;
  protocol: string;
  /** `address:port`, to find the candidate's own stats (its server URL and relay protocol). */
  endpoint: string;
}

/** `candidate:… 1 udp 50339839 127.0.0.1 49245 typ relay raddr …` → its type and transport. */
export function parseCandidate(line: string): Candidate | null {
  const parts = line.replace(/^a=/, '').trim().split(/\s+/);
  const typ = parts.indexOf('typ');
  if (typ < 0 || parts.length < 8) return null;
  return {
    type: (parts[typ + 1] ?? '').toLowerCase(),
    protocol: (parts[2] ?? '').toLowerCase(),
    endpoint: `${parts[4] ?? ''}:${parts[5] ?? ''}`,
  };
}

/** How a relay candidate reaches its TURN server, from the server URL it came from. */
function relayProtocolOf(url: string): string | null {
  const parsed = parseIceServerUri(url);
  return 'error' in parsed ? null : parsed.transport;
}

/** What one RTCPeerConnection of a dump did, in the contract's terms (docs/calls.md "What is extracted"). */
export function extractPeerConnection(pc: DumpPeerConnection): CallPeerConnection {
  const events = [...pc.events].sort((a, b) => (a.at || 0) - (b.at || 0));
  const startedAt = events.find((e) => Number.isFinite(e.at))?.at ?? Number.NaN;
  const gatheringStart =
    events.find((e) => e.type === 'onicegatheringstatechange' && e.value === 'gathering')?.at ??
    events.find((e) => e.type === 'setLocalDescription')?.at ??
    startedAt;
  const turnUrls = pc.iceServers.flatMap((s) => s.urls).filter((u) => /^turns?:/.test(u));
  // local-candidate stats name each candidate's server and relay protocol (rtcstats' candidate JSON does not)
  const ownStats = new Map<string, Record<string, unknown>>();
  for (const report of pc.stats.values())
    if (report.type === 'local-candidate')
      ownStats.set(`${text(report.address ?? report.ip)}:${String(report.port)}`, report);

  const candidates = new Map<string, ServerCandidates>();
  const candidateTypes: Record<string, number> = {};
  let localCount = 0;
  let remoteCount = 0;
  const errors: CandidateError[] = [];
  const timeline: StateChange[] = [];
  for (const event of events) {
    const of = Object.hasOwn(STATE_EVENTS, event.type) ? STATE_EVENTS[event.type] : undefined;
    if (of && typeof event.value === 'string') {
      timeline.push({ at: iso(event.at), of, state: event.value.slice(0, 32) });
    } else if (event.type === 'onicecandidate') {
      const found = candidateOf(event);
      if (!found) continue;
      localCount++;
      candidateTypes[found.type] = (candidateTypes[found.type] ?? 0) + 1;
      const stats = ownStats.get(found.endpoint);
      // without a url anywhere, a relay candidate comes from the one TURN server, if there is one
      const url =
        found.url ??
        (text(stats?.url, 2048) ||
          (found.type === 'relay' && turnUrls.length === 1 ? (turnUrls[0] as string) : ''));
      if (!url) continue;
      const entry = candidates.get(url) ?? { url, types: {}, relayProtocols: {}, firstRelayMs: null };
      entry.types[found.type] = (entry.types[found.type] ?? 0) + 1;
      if (found.type === 'relay') {
        const via = text(stats?.relayProtocol, 8) || (relayProtocolOf(url) ?? found.protocol);
        entry.relayProtocols[via] = (entry.relayProtocols[via] ?? 0) + 1;
        if (entry.firstRelayMs === null && Number.isFinite(event.at) && Number.isFinite(gatheringStart))
          entry.firstRelayMs = Math.max(0, Math.round(event.at - gatheringStart));
      }
      candidates.set(url, entry);
    } else if (event.type === 'addIceCandidate') {
      if (candidateOf(event)) remoteCount++;
    } else if (event.type === 'onicecandidateerror') {
      const e = record(event.value);
      const code = numberOr(e.errorCode ?? e.error_code);
      if (code === null) continue;
      errors.push({
        url: text(e.url, 2048),
        code: Math.trunc(code),
        text: text(e.errorText ?? e.error_text),
        at: iso(event.at),
      });
    }
  }

  const pair = selectedPairOf(pc.stats);
  const pairStats = [...pc.stats.values()].filter((r) => r.type === 'candidate-pair');
  const tried = pairStats.filter((r) => (numberOr(r.requestsSent) ?? 0) > 0 || r.state === 'succeeded');
  const { outcome, droppedAfterMs } = outcomeOf(timeline);
  return {
    id: pc.id.slice(0, 128),
    iceServers: pc.iceServers.map((s) => ({
      urls: s.urls,
      hasCredentials: s.username !== undefined || s.credential !== undefined,
    })),
    iceTransportPolicy: pc.iceTransportPolicy,
    startedAt: Number.isFinite(startedAt) ? iso(startedAt) : null,
    outcome,
    candidates: [...candidates.values()],
    candidateTypes,
    errors,
    timeline,
    selectedPair: pair?.selected ?? null,
    pairsChecked: pairStats.length ? tried.length : localCount * remoteCount,
    rttMs: pair?.rttMs ?? null,
    bytesSent: pair ? numberOr(pair.report.bytesSent) : null,
    bytesReceived: pair ? numberOr(pair.report.bytesReceived) : null,
    droppedAfterMs,
  };
}

function candidateOf(event: DumpEvent): (Candidate & { url: string | null }) | null {
  const value = event.value;
  const line = typeof value === 'string' ? value : text(record(value).candidate, 1024);
  const parsed = line ? parseCandidate(line) : null;
  if (!parsed) return null;
  const url = text(record(value).url, 2048);
  return { ...parsed, url: url || null };
}

/**
 * connected: it reached `connected` and stayed; dropped: it went from connected to disconnected or
 * failed and did not come back; failed / never-connected otherwise. connectionState decides where the
 * dump has it, iceConnectionState otherwise.
 */
function outcomeOf(timeline: readonly StateChange[]): {
  outcome: CallOutcome;
  droppedAfterMs: number | null;
} {
  const own = timeline.filter((s) => s.of === 'connection');
  const states = own.length ? own : timeline.filter((s) => s.of === 'ice');
  const up = (s: StateChange) => s.state === 'connected' || s.state === 'completed';
  const firstUp = states.findIndex(up);
  if (firstUp < 0)
    return {
      outcome: states.some((s) => s.state === 'failed') ? 'failed' : 'never-connected',
      droppedAfterMs: null,
    };
  const last = states[states.length - 1] as StateChange;
  if (last.state !== 'disconnected' && last.state !== 'failed')
    return { outcome: 'connected', droppedAfterMs: null };
  const lastUp = [...states].reverse().find(up) as StateChange;
  // the first sign of it, in either state: ICE says disconnected seconds before the connection fails
  const since = Date.parse(lastUp.at);
  const trouble = timeline
    .filter(
      (s) =>
        (s.of === 'ice' || s.of === 'connection') && (s.state === 'disconnected' || s.state === 'failed'),
    )
    .map((s) => Date.parse(s.at))
    .filter((at) => at >= since);
  const ms = Math.min(Date.parse(last.at), ...trouble) - Date.parse((states[firstUp] as StateChange).at);
  return { outcome: 'dropped', droppedAfterMs: Number.isFinite(ms) ? Math.max(0, ms) : null };
}

function selectedPairOf(stats: Map<string, Record<string, unknown>>) {
  const reports = [...stats.entries()];
  const transport = reports.find(
    ([, r]) => r.type === 'transport' && typeof r.selectedCandidatePairId === 'string',
  );
  let pair = transport ? stats.get(transport[1].selectedCandidatePairId as string) : undefined;
  pair ??= reports
    .map(([, r]) => r)
    .find((r) => r.type === 'candidate-pair' && r.nominated === true && r.state === 'succeeded');
  if (!pair) return null;
  const local = record(stats.get(text(pair.localCandidateId)));
  const remote = record(stats.get(text(pair.remoteCandidateId)));
  const selected: SelectedPair = {
    localType: text(local.candidateType, 16) || null,
    remoteType: text(remote.candidateType, 16) || null,
    protocol: text(local.protocol, 8) || null,
    relayProtocol: text(local.relayProtocol, 8) || null,
    url: text(local.url, 2048) || null,
  };
  const current = numberOr(pair.currentRoundTripTime);
  const total = numberOr(pair.totalRoundTripTime);
  const responses = numberOr(pair.responsesReceived);
  const seconds = current ?? (total !== null && responses ? total / responses : null);
  return { selected, report: pair, rttMs: seconds === null ? null : Math.round(seconds * 10_000) / 10 };
}
