import type { CallObservation, CallPeerConnection } from '../../contract';

/** A TURN server slower than this to give its first relay candidate delays every call that needs it. */
export const SLOW_FIRST_RELAY_MS = 500;

/** What an icecandidateerror code means (RFC 5389/5766 codes, and the browser's own 701). */
const ERROR_MEANING: Record<number, string> = {
  300: 'tried to redirect the client (300 Try Alternate)',
  400: 'found the request malformed (400 Bad Request)',
  401: 'refused the credentials (401 Unauthorized)',
  403: 'forbade the request (403 Forbidden)',
  437: 'reported an allocation mismatch (437)',
  438: 'reported a stale nonce (438)',
  441: 'refused the credentials (441 Wrong Credentials)',
  442: 'does not support the transport (442)',
  486: 'has reached its allocation quota (486)',
  508: 'is out of relay capacity (508 Insufficient Capacity)',
  701: 'never answered (701: no reply in time, so the packets are dropped on the way or the server is unreachable)',
};

const isTurn = (url: string) => /^turns?:/i.test(url);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function observation(
  pc: CallPeerConnection,
  kind: CallObservation['kind'],
  summary: string,
  evidence: string[],
  extra: { url?: string; code?: number } = {},
): CallObservation {
  return {
    kind,
    peerConnectionId: pc.id,
    url: extra.url ?? null,
    code: extra.code ?? null,
    summary,
    evidence,
  };
}

/**
 * The observations one peer connection supports, each a plain sentence with the dump's evidence
 * (docs/calls.md "Observations"). Pure: the same dump always reads the same.
 */
export function observationsFor(pc: CallPeerConnection): CallObservation[] {
  const out: CallObservation[] = [];
  const turnUrls = [...new Set(pc.iceServers.flatMap((s) => s.urls).filter(isTurn))];
  const relays = pc.candidates.filter((c) => (c.types.relay ?? 0) > 0);
  const relayCount = pc.candidateTypes.relay ?? 0;

  if (turnUrls.length > 0 && relayCount === 0) {
    const errors = pc.errors.filter((e) => isTurn(e.url));
    out.push(
      observation(
        pc,
        'no-relay-candidate',
        `No relay candidate was gathered although TURN was configured (${turnUrls.join(', ')}).`,
        [
          `iceServers: ${turnUrls.join(', ')}`,
          `candidates gathered: ${describeTypes(pc.candidateTypes)}`,
          ...errors.slice(0, 5).map((e) => `icecandidateerror ${e.code} from ${e.url}: ${e.text}`),
        ],
      ),
    );
  }

  const protocols = new Map<string, number>();
  for (const c of relays)
    for (const [p, n] of Object.entries(c.relayProtocols)) protocols.set(p, (protocols.get(p) ?? 0) + n);
  if (
    relayCount > 0 &&
    !protocols.has('udp') &&
    [...protocols.keys()].some((p) => p === 'tcp' || p === 'tls')
  ) {
    const via = [...protocols.keys()].map((p) => p.toUpperCase()).join('/');
    out.push(
      observation(pc, 'relay-only-stream', `Relay candidates came only over ${via}, none over UDP.`, [
        ...relays.map((c) => `${c.url}: ${describeProtocols(c.relayProtocols)}`),
      ]),
    );
  }

  const byServer = new Map<string, { url: string; code: number; count: number; text: string }>();
  for (const e of pc.errors) {
    const key = `${e.url}\u0000${e.code}`;
    const seen = byServer.get(key) ?? { url: e.url, code: e.code, count: 0, text: e.text };
    seen.count++;
    byServer.set(key, seen);
  }
  for (const { url, code, count, text } of byServer.values()) {
    const meaning =
      (Object.hasOwn(ERROR_MEANING, code) ? ERROR_MEANING[code] : undefined) ?? `answered with error ${code}`;
    out.push(
      observation(
        pc,
        'server-errors',
        `${url || 'An ICE server'} ${meaning}: ${plural(count, 'candidate error')}.`,
        [`icecandidateerror ${code} "${text}" × ${count}`],
        { url, code },
      ),
    );
  }

  for (const c of relays) {
    if (c.firstRelayMs !== null && c.firstRelayMs > SLOW_FIRST_RELAY_MS) {
      out.push(
        observation(
          pc,
          'slow-first-relay',
          `${c.url} took ${c.firstRelayMs} ms to give its first relay candidate (more than ${SLOW_FIRST_RELAY_MS} ms).`,
          [`first relay candidate ${c.firstRelayMs} ms after gathering started`],
          { url: c.url },
        ),
      );
    }
  }

  const states = pc.timeline.map((s) => `${s.of}: ${s.state}`);
  if (pc.outcome === 'failed') {
    out.push(
      observation(
        pc,
        'ice-failed',
        `ICE failed after checking ${plural(pc.pairsChecked, 'candidate pair')}.`,
        [
          `states: ${states.join(' → ') || 'none'}`,
          `candidates gathered: ${describeTypes(pc.candidateTypes)}`,
        ],
      ),
    );
  } else if (pc.outcome === 'dropped') {
    const seconds = pc.droppedAfterMs === null ? null : Math.round(pc.droppedAfterMs / 100) / 10;
    out.push(
      observation(
        pc,
        'connection-dropped',
        seconds === null
          ? 'The connection dropped after it had connected.'
          : `The connection dropped after ${seconds} seconds.`,
        [`states: ${states.join(' → ')}`],
      ),
    );
  } else if (pc.outcome === 'never-connected') {
    const last = pc.timeline.filter((s) => s.of === 'connection' || s.of === 'ice').at(-1)?.state ?? 'new';
    out.push(
      observation(
        pc,
        'never-connected',
        pc.pairsChecked === 0
          ? `The connection never connected: no candidate pair could be checked (it stayed "${last}").`
          : `The connection never connected (it stayed "${last}" after ${plural(pc.pairsChecked, 'candidate pair')}).`,
        [
          `states: ${states.join(' → ') || 'none'}`,
          `candidates gathered: ${describeTypes(pc.candidateTypes)}`,
        ],
      ),
    );
  } else {
    const pair = pc.selectedPair;
    const path = pair
      ? `${pair.localType ?? '?'} → ${pair.remoteType ?? '?'} over ${pair.protocol ?? '?'}${pair.relayProtocol ? ` (relay via ${pair.relayProtocol.toUpperCase()})` : ''}`
      : 'a pair the dump does not name';
    out.push(
      observation(pc, 'connected', `The connection connected: ${path}.`, [
        ...(pc.rttMs !== null ? [`RTT ${pc.rttMs} ms`] : []),
        ...(pc.bytesSent !== null ? [`${pc.bytesSent} bytes sent, ${pc.bytesReceived ?? 0} received`] : []),
      ]),
    );
  }
  return out;
}

function describeTypes(types: Record<string, number>): string {
  const parts = Object.entries(types).map(([type, n]) => `${n} ${type}`);
  return parts.length ? parts.join(', ') : 'none';
}

function describeProtocols(protocols: Record<string, number>): string {
  return Object.entries(protocols)
    .map(([p, n]) => `${n} over ${p.toUpperCase()}`)
    .join(', ');
}
