/**
 * The remote partner test as L4 evidence (DESIGN.md §2): two testers on different networks tried
 * host-only, reflexive-only and relay-only sessions between them. What that proves:
 * - a reflexive session that connected (or a host-only one to a public address) is a direct path
 *   across networks: this network does not need TURN;
 * - direct sessions that failed while a relay worked: this network needs TURN;
 * - every cross-network session failed: cross-network connections fail, proven, not inferred.
 * A host-only session to a private address only proves the two testers share a network; a failed
 * host-only session proves nothing (across networks it cannot work).
 */
import type { AttemptReport, MetricValueSchema, PathResult } from '../../contract';
import type { PartnerCrossNetwork } from '../../contract/partner';
import type { z } from 'zod';
import { attemptFromRow } from '../store/history';
import type { HistoryQueries } from '../store/queries';
import { PARTNER_SESSION_PROBE } from '../evidence/partner-probes';

export { PARTNER_RENDEZVOUS_PROBE, PARTNER_SESSION_PROBE } from '../evidence/partner-probes';

type Metrics = Record<string, z.infer<typeof MetricValueSchema>>;

/** One session of a partner test: a row of the shared table, or a stored attempt of one. */
export interface PartnerSessionLike {
  outcome: string;
  metrics: Metrics;
  /** A row names the path itself; an attempt carries it in `metrics.path`. */
  path?: string;
}

const pathOf = (s: PartnerSessionLike) =>
  s.path ?? (typeof s.metrics.path === 'string' ? s.metrics.path : '');
const ran = (s: PartnerSessionLike) => s.outcome !== 'skipped' && s.outcome !== 'aborted';

/** A host-only session that connected to a private address: the testers share a network. */
export function isSameNetworkSession(s: PartnerSessionLike): boolean {
  return pathOf(s) === 'host' && s.outcome === 'success' && s.metrics.sameNetwork === true;
}

/** Sessions that say something about a path across networks. */
export function crossNetworkSessions<T extends PartnerSessionLike>(sessions: readonly T[]): T[] {
  return sessions.filter((s) => {
    if (!ran(s)) return false;
    const path = pathOf(s);
    if (path === 'host') return s.outcome === 'success' && s.metrics.sameNetwork !== true;
    return path === 'srflx' || path === 'relay';
  });
}

function rtt(s: PartnerSessionLike | undefined): string {
  const p50 = s?.metrics.rttMsP50;
  const loss = s?.metrics.lossPct;
  const kbps = s?.metrics.throughputKbps;
  const parts = [
    typeof p50 === 'number' ? `RTT ${p50} ms` : null,
    typeof loss === 'number' ? `loss ${loss}%` : null,
    typeof kbps === 'number' ? `${kbps} kbit/s` : null,
  ].filter(Boolean);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/** What a partner test proves about the cross-network path. */
export function partnerCrossNetwork(sessions: readonly PartnerSessionLike[]): PartnerCrossNetwork {
  const sameNetwork = sessions.some(isSameNetworkSession);
  const cross = crossNetworkSessions(sessions);
  const direct = cross.filter((s) => pathOf(s) !== 'relay');
  const relay = cross.filter((s) => pathOf(s) === 'relay');
  const directOk = direct.find((s) => s.outcome === 'success');
  const relayOk = relay.find((s) => s.outcome === 'success');
  const directFailed = direct.length > 0 && !directOk;
  const result: PathResult = directOk || relayOk ? 'pass' : cross.length > 0 ? 'fail' : 'untested';
  const needsTurn = directOk ? false : directFailed ? true : null;
  const local = sameNetwork
    ? ' The host-only session connected to a private address: the two testers also share a network (or a VPN).'
    : '';
  let summary: string;
  if (directOk) {
    summary = `A direct path works across networks${rtt(directOk)}: this network does not need TURN.${local}`;
  } else if (relayOk && directFailed) {
    summary = `Direct connections failed, while the relay through TURN worked${rtt(relayOk)}: this network needs TURN.${local}`;
  } else if (relayOk) {
    summary = `The relay through TURN works across networks${rtt(relayOk)}; a direct path was not tested (no reflexive session ran).${local}`;
  } else if (cross.length > 0) {
    summary = `Every cross-network session failed (${cross.map(pathOf).join(', ')}): the two testers cannot connect across their networks.${local}`;
  } else {
    summary = sameNetwork
      ? 'The two testers only connected over host addresses on a shared network; no cross-network session ran (configure STUN and TURN servers).'
      : 'No cross-network session ran.';
  }
  return { result, path: directOk ? 'direct' : relayOk ? 'relay' : null, needsTurn, sameNetwork, summary };
}

/** How long a partner test keeps counting as evidence for a new diagnosis. */
export const PARTNER_EVIDENCE_MS = 30 * 60_000;

/**
 * The sessions of the newest partner test in the last half hour, for a diagnosis's verdict: a
 * diagnosis on one machine can only infer the cross-network path, a recent partner test proved it.
 */
export function recentPartnerSessions(queries: HistoryQueries, now: number): AttemptReport[] {
  const rows = queries
    .attemptsBetween(now - PARTNER_EVIDENCE_MS, now + 1, 5000)
    .filter((row) => row.probe === PARTNER_SESSION_PROBE);
  const newest = rows[0]?.correlation_id;
  return rows
    .filter((row) => row.correlation_id === newest)
    .map(attemptFromRow)
    .reverse();
}
