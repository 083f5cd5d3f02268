import {
  cellLabel,
  cellsOf,
  columnLabel,
  FIREWALL_PORT,
  MATRIX_PROBE,
  specLabel,
  type MatrixCell,
  type TransportRestriction,
  type TransportSpec,
  type Verdict,
} from '../../contract';
import type { Check } from './checks';

type Words = Pick<Verdict, 'title' | 'message' | 'action'>;

/** A verdict the transport matrix decides: its words and the checks behind them. */
export interface TransportFinding {
  words: Words;
  confidence: number;
  deciding: Check[];
  /** What was found, as the verdict carries it (`verdict.transports`). */
  restriction: TransportRestriction;
}

interface Row {
  check: Check;
  host: string;
  cells: MatrixCell[];
}

const names = (checks: readonly Check[]) => [...new Set(checks.map((c) => c.url))].join(', ');
const isStream = (cell: MatrixCell) => cell.transport === 'tcp' || cell.transport === 'tls';
const blocked = (cell: MatrixCell) => cell.state === 'down' && cell.cause === 'timeout';
const tested = (cell: MatrixCell) => cell.state !== 'not-offered' && cell.cause !== 'auth';

function rowsOf(checks: readonly Check[]): Row[] {
  return checks
    .filter((c) => c.probe === MATRIX_PROBE && c.status !== 'untested')
    .map((check) => ({
      check,
      host: typeof check.last.metrics.host === 'string' ? check.last.metrics.host : check.url,
      cells: cellsOf(check.last.metrics),
    }))
    .filter((row) => row.cells.length > 0);
}

/** The URL a client would list for a working cell: `turns:host:443`, `turn:host:443?transport=tcp`. */
function urlFor(host: string, spec: TransportSpec): string {
  const at = host.includes(':') ? `[${host}]` : host;
  if (spec.transport === 'tls') return `turns:${at}:${spec.port}`;
  return `turn:${at}:${spec.port}?transport=${spec.transport}`;
}

const uniqueColumns = (cells: readonly MatrixCell[]) => [
  ...new Map(cells.map((c) => [specLabel(c), { transport: c.transport, port: c.port }])).values(),
];

/**
 * The network lets only some transports out: UDP to every TURN server is dropped while TCP or TLS
 * reaches the same servers, which a test of the configured URL alone reads as "TURN is down". When
 * the only columns that work are on port 443, the network filters by port too (a corporate firewall).
 * `l2` are the STUN/TURN server checks other than the matrix: a UDP one that passed means UDP is not blocked.
 */
export function restrictedTransports(
  checks: readonly Check[],
  l2: readonly Check[],
): TransportFinding | null {
  const rows = rowsOf(checks);
  const cells = rows.flatMap((r) => r.cells.filter(tested));
  const udp = cells.filter((c) => c.transport === 'udp');
  const up = cells.filter((c) => c.state === 'up');
  const streamsUp = up.filter(isStream);
  if (udp.length === 0 || !udp.every(blocked) || streamsUp.length === 0) return null;
  if (l2.some((c) => c.transport === 'udp' && c.status === 'pass' && c.probe !== MATRIX_PROBE)) return null;

  const working = uniqueColumns(streamsUp);
  const streamsBlocked = cells.filter((c) => isStream(c) && blocked(c) && c.port !== FIREWALL_PORT);
  const only443 = working.every((s) => s.port === FIREWALL_PORT) && streamsBlocked.length > 0;
  // the configured URLs that failed are the evidence the matrix explains
  const failedHere = l2.filter((c) => c.probe !== MATRIX_PROBE && c.status === 'fail');
  const deciding = [...rows.map((r) => r.check), ...failedHere];
  const servers = names(rows.map((r) => r.check));
  const answer = rows.length === 1 ? 'answers' : 'answer';
  const ship = rows.flatMap((row) =>
    uniqueColumns(row.cells.filter((c) => c.state === 'up' && isStream(c))).map((s) => urlFor(row.host, s)),
  );
  const through = series(working.map(columnLabel));
  if (only443) {
    const kinds = [...new Set(working.map((s) => s.transport.toUpperCase()))];
    const what = `${series(kinds)} on port ${FIREWALL_PORT} ${kinds.length === 1 ? 'gets' : 'get'}`;
    return {
      confidence: 0.85,
      deciding,
      restriction: { restriction: 'only-443', working },
      words: {
        title: `Only ${what} through: this network blocks UDP and the other ports`,
        message: `${servers} ${answer} over ${through}, but nothing over UDP (${series(uniqueColumns(udp).map(columnLabel))}) and no TCP/TLS on other ports (${series(uniqueColumns(streamsBlocked).map(columnLabel))}) gets an answer. The servers are up: this network (a corporate firewall or proxy) lets only port ${FIREWALL_PORT} out.`,
        action: `The app must list a TURN server on port ${FIREWALL_PORT} — ${[...new Set(ship)].join(', ')} — so that calls from this network fall back to it. The servers and the app's code are fine.`,
      },
    };
  }
  return {
    confidence: 0.8,
    deciding,
    restriction: { restriction: 'udp-blocked', working },
    words: {
      title: 'UDP is blocked on this network',
      message: `Every TURN allocation over UDP (${series(uniqueColumns(udp).map(columnLabel))}) went unanswered while ${servers} ${answer} over ${through}. The servers are up; this network (firewall, corporate proxy, guest Wi-Fi) blocks UDP.`,
      action: `Make sure the app lists a TURN server over TCP or TLS — ${[...new Set(ship)].join(', ')} — so it can fall back; or try from another network. The servers and the app's code are fine.`,
    },
  };
}

/**
 * Nothing over IPv4 has a route out while some server answers over IPv6: an IPv6-only network
 * (mobile carriers), where every server known by an IPv4 address, or with no AAAA record, is
 * unreachable though up. `failed` are the external checks that failed for a reason other than the
 * credentials.
 */
export function ipv6Only(checks: readonly Check[], failed: readonly Check[]): TransportFinding | null {
  const rows = rowsOf(checks);
  const cells = rows.flatMap((r) => r.cells);
  const v6Up = cells.filter((c) => c.family === 6 && c.state === 'up');
  const v4 = cells.filter((c) => c.family === 4 && c.state !== 'not-offered');
  if (v6Up.length === 0 || cells.some((c) => c.family === 4 && c.state === 'up')) return null;
  if (!v4.every((c) => c.cause === 'unreachable')) return null;
  const unreachable = failed.filter((c) => c.noRoute);
  // something else failed too (a timeout, a refusal): not only the missing IPv4 route
  if (failed.some((c) => !c.noRoute && c.probe !== 'ice-gathering' && c.probe !== 'peer-connection'))
    return null;
  const answered = rows.filter((r) => r.cells.some((c) => c.family === 6 && c.state === 'up'));
  const lost = [...new Set([...unreachable.map((c) => c.url)])];
  return {
    confidence: 0.8,
    deciding: [...answered.map((r) => r.check), ...unreachable],
    restriction: { restriction: 'ipv6-only', working: uniqueColumns(v6Up) },
    words: {
      title: 'This network is IPv6-only: servers without an IPv6 address cannot be reached',
      message: `Nothing over IPv4 has a route out of this network${lost.length ? ` (${lost.join(', ')})` : ''}, while ${series(answered.map((r) => r.host))} answered over IPv6 (${series(uniqueColumns(v6Up).map(columnLabel))}). The servers are up; this network (often a mobile carrier) offers IPv6 only.`,
      action:
        "Give every server the app uses an IPv6 address (an AAAA record) and list it by name rather than by IPv4 address; without one, users on IPv6-only networks cannot connect. The app's code is fine.",
    },
  };
}

/**
 * TLS to a TURN server is answered with a certificate nobody here trusts while UDP is dropped and no
 * other transport gets through: the signature of a TLS-inspecting proxy, which replaces the server's
 * certificate with its own. WebRTC (Chromium too) refuses that certificate, so calls cannot relay.
 */
export function interceptedTls(checks: readonly Check[]): TransportFinding | null {
  const rows = rowsOf(checks);
  const cells = rows.flatMap((r) => r.cells.filter(tested));
  const refused = cells.filter((c) => c.transport === 'tls' && c.state === 'down' && c.cause === 'untrusted');
  const udp = cells.filter((c) => c.transport === 'udp');
  if (refused.length === 0 || cells.some((c) => c.state === 'up')) return null;
  if (udp.length === 0 || !udp.every(blocked)) return null;
  const deciding = rows.filter((r) => r.cells.some((c) => refused.includes(c))).map((r) => r.check);
  const first = refused[0] as MatrixCell;
  return {
    confidence: 0.7,
    deciding,
    restriction: { restriction: 'tls-intercepted', working: [] },
    words: {
      title: 'A proxy on this network intercepts TLS to the TURN server',
      message: `TLS to ${names(deciding)} (${series(refused.map(cellLabel))}) is answered with a certificate this machine does not trust (${first.detail ?? 'untrusted'}), while UDP and every other transport are blocked. That is the signature of a TLS-inspecting proxy or firewall: it replaces the server's certificate with its own, and WebRTC refuses it (Chromium does the same), so calls cannot relay.`,
      action: `Ask the network's administrators to exempt the TURN server (${series(rows.map((r) => r.host))}) from TLS inspection and to let UDP or port ${FIREWALL_PORT} through to it, or test from another network. The servers and the app are fine.`,
    },
  };
}

/** "a", "a and b", "a, b and c". */
function series(words: readonly string[]): string {
  const unique = [...new Set(words)];
  if (unique.length <= 1) return unique.join('');
  return `${unique.slice(0, -1).join(', ')} and ${unique.at(-1) ?? ''}`;
}
