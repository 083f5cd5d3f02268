import {
  attemptRan,
  MATRIX_PROBE,
  parseIceServerUri,
  type AttemptReport,
  type Layer,
  type PathResult,
  type TargetReport,
} from '../../contract';
import { attemptLayer, isHairpinOnly, isPartnerLanOnly } from '../evidence/layers';
import { PARTNER_SESSION_PROBE } from '../evidence/partner-probes';

/** One thing tested: a probe against a target (and, for peer connections, one path). */
export interface Check {
  targetId: string;
  kind: string;
  url: string;
  probe: string;
  layer: Layer;
  transport: 'udp' | 'tcp' | 'tls' | null;
  status: 'pass' | 'fail' | 'untested';
  /** TURN refused the credentials (401/441): a configuration problem, not a server down. */
  auth: boolean;
  /**
   * The failure says this machine has no way out: no route (ENETUNREACH/EHOSTUNREACH) or no resolver
   * answering (EAI_AGAIN, …). A name the resolver answered "does not exist" for is not one: see `nameMissing`.
   */
  noRoute: boolean;
  /**
   * The resolver answered that the server's name does not exist (NXDOMAIN, ENOTFOUND): the machine's DNS
   * works, the URL is wrong — that server's configuration problem, never evidence that the machine is offline.
   */
  nameMissing: boolean;
  /**
   * Extra evidence only, never held against the network: a reflexive-only session in one process
   * (needs hairpinning), or a partner's host-only session that did not connect (cannot across networks).
   */
  hairpin: boolean;
  /** The newest attempt that decided the status. */
  last: AttemptReport;
}

const NO_ROUTE = new Set(['dns', 'unreachable']);

/** resolveHost words a failed lookup as "... did not resolve (CODE)"; ENOTFOUND is the resolver's NXDOMAIN. */
export function isNameMissing(
  attempt: Pick<AttemptReport, 'outcome' | 'errorClass' | 'errorMessage'>,
): boolean {
  return (
    attempt.outcome !== 'success' &&
    attempt.errorClass === 'dns' &&
    /\(ENOTFOUND\)/.test(attempt.errorMessage ?? '')
  );
}

function transportOf(attempt: AttemptReport, url: string): Check['transport'] {
  // the matrix tries every transport: it is no evidence about the URL's own one
  if (attempt.probe === MATRIX_PROBE) return null;
  const metric = attempt.metrics.transport;
  if (metric === 'udp' || metric === 'tcp' || metric === 'tls') return metric;
  const uri = parseIceServerUri(url);
  return 'error' in uri ? null : uri.transport;
}

const AUTH_CODES = new Set(['401', '441']);

/**
 * TURN refused the credentials: the allocation test says so with `errorCode`; libwebrtc's gathering
 * and a relayed session with `iceErrorCode` (the network lab's wrong-password TURN read as "down").
 */
export function isAuthFailure(attempt: AttemptReport): boolean {
  if (attempt.probe === 'turn-allocation' || attempt.probe === MATRIX_PROBE)
    return attempt.errorClass === 'server-error' && AUTH_CODES.has(String(attempt.metrics.errorCode));
  if (attempt.probe === 'ice-gathering' || attempt.probe === 'peer-connection')
    return AUTH_CODES.has(String(attempt.metrics.iceErrorCode));
  return false;
}

/**
 * Groups attempts into checks. A check's status is its newest attempt that ran (a run's retries stop
 * at the first success, so that is "passed at least once" within one run, and "the current state"
 * over history).
 */
export function checksOf(targets: readonly TargetReport[], attempts: readonly AttemptReport[]): Check[] {
  const byId = new Map(targets.map((t) => [t.id, t]));
  const groups = new Map<string, AttemptReport[]>();
  for (const attempt of attempts) {
    const sessions = attempt.probe === 'peer-connection' || attempt.probe === PARTNER_SESSION_PROBE;
    const path = sessions ? String(attempt.metrics.path ?? '') : '';
    const key = `${attempt.targetId}\u0000${attempt.probe}\u0000${path}\u0000${String(attempt.metrics.transport ?? '')}`;
    groups.set(key, [...(groups.get(key) ?? []), attempt]);
  }
  const checks: Check[] = [];
  for (const group of groups.values()) {
    const sorted = [...group].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
    const ran = sorted.filter(attemptRan);
    const last = ran.at(-1) ?? sorted.at(-1);
    if (!last) continue;
    const target = byId.get(last.targetId);
    const url = target?.url ?? last.targetId;
    checks.push({
      targetId: last.targetId,
      kind: target?.kind ?? 'local',
      url,
      probe: last.probe,
      layer: attemptLayer(last, target?.layer),
      transport: transportOf(last, url),
      status: ran.length === 0 ? 'untested' : last.outcome === 'success' ? 'pass' : 'fail',
      auth: last.outcome !== 'success' && isAuthFailure(last),
      noRoute: last.outcome !== 'success' && NO_ROUTE.has(last.errorClass ?? '') && !isNameMissing(last),
      nameMissing: isNameMissing(last),
      hairpin: isHairpinOnly(last, target?.kind) || isPartnerLanOnly(last),
      last,
    });
  }
  return checks;
}

/** pass if every tested check passed, fail if every one failed, mixed otherwise. */
export function groupStatus(checks: readonly Check[]): 'pass' | 'fail' | 'mixed' | 'untested' {
  const tested = checks.filter((c) => c.status !== 'untested');
  if (tested.length === 0) return 'untested';
  const passed = tested.filter((c) => c.status === 'pass').length;
  return passed === tested.length ? 'pass' : passed === 0 ? 'fail' : 'mixed';
}

export function isPartnerSession(check: Check): boolean {
  return check.probe === PARTNER_SESSION_PROBE;
}

const PARTNER_PATH_WORDS: Record<string, string> = {
  host: 'host-only session',
  srflx: 'direct (reflexive-only) session',
  relay: 'relay-only session',
};

/** A partner session in words: which path, through what, how it went. */
function describePartner(check: Check): string {
  const m = check.last.metrics;
  const path = typeof m.path === 'string' ? m.path : '';
  const through = path === 'relay' ? ` through ${check.url}` : '';
  const what = `partner test, ${PARTNER_PATH_WORDS[path] ?? 'session'}${through}`;
  if (check.status === 'pass') {
    const figures = [
      typeof m.rttMsP50 === 'number' ? `RTT ${m.rttMsP50} ms` : null,
      typeof m.lossPct === 'number' ? `loss ${m.lossPct}%` : null,
      typeof m.throughputKbps === 'number' ? `${m.throughputKbps} kbit/s` : null,
    ].filter(Boolean);
    const lan = m.sameNetwork === true ? ' to a private address (the testers share a network)' : '';
    return `${what} connected${lan}${figures.length ? ` (${figures.join(', ')})` : ''}`;
  }
  return `${what} failed: ${check.last.errorClass ?? 'error'}${check.last.errorMessage ? ` (${check.last.errorMessage})` : ''}`;
}

export function describeCheck(check: Check): string {
  if (isPartnerSession(check) && check.status !== 'untested') return describePartner(check);
  const what = `${check.probe} ${check.transport ? `over ${check.transport} ` : ''}to ${check.url}`;
  if (check.status === 'pass') return `${what} passed (${Math.round(check.last.durationMs)} ms)`;
  if (check.status === 'untested') return `${what} was not tested`;
  if (check.auth)
    return `${what}: credentials rejected (${String(check.last.metrics.errorCode ?? check.last.metrics.iceErrorCode)})`;
  return `${what} failed: ${check.last.errorClass ?? 'error'}${check.last.errorMessage ? ` (${check.last.errorMessage})` : ''}`;
}

export function evidenceOf(checks: readonly Check[], limit = 24) {
  return checks.slice(0, limit).map((c) => ({
    attemptId: c.last.id,
    targetId: c.targetId,
    summary: `${c.layer}: ${describeCheck(c)}${c.hairpin && c.status === 'fail' ? (isPartnerSession(c) ? ' — across networks a host-only session cannot connect, not held against the network' : ' — needs NAT hairpinning, not held against the network') : ''}`,
  }));
}

export function localResult(all: readonly Check[]): PathResult {
  const checks = all.filter((c) => !c.hairpin);
  const l0 = groupStatus(checks.filter((c) => c.layer === 'L0'));
  if (l0 !== 'untested') return l0 === 'fail' ? 'fail' : 'pass';
  const l1 = groupStatus(checks.filter((c) => c.layer === 'L1'));
  if (l1 === 'untested') return 'untested';
  return l1 === 'pass' ? 'pass' : 'fail';
}

const SYMMETRIC = new Set(['address-dependent', 'address-and-port-dependent']);

/**
 * The NAT's mapping behaviour as the RFC 5780 tests found it. A server without RFC 5780 answers
 * `inconclusive`, which says nothing about the NAT: it must not hide another server's conclusive
 * answer (the network lab's symmetric NAT read as healthy). When servers disagree, the one that says
 * TURN is needed wins: it is the one that costs the user a failed call if ignored.
 */
export function natMapping(checks: readonly Check[]): string | null {
  const found = checks
    .filter((c) => c.probe === 'nat-behavior' && c.status === 'pass')
    .map((c) => c.last.metrics.mapping)
    .filter((m): m is string => typeof m === 'string' && m !== 'inconclusive');
  return found.find((m) => SYMMETRIC.has(m)) ?? found[0] ?? null;
}

export function isSymmetricNat(checks: readonly Check[]): boolean {
  return SYMMETRIC.has(natMapping(checks) ?? '');
}

/**
 * pass: a relayed session worked (or a reflexive one, or STUN works behind an endpoint-independent
 * NAT); fail: every relayed session failed, or no external server answered at all.
 */
export function crossNetworkResult(checks: readonly Check[]): PathResult {
  // A partner on another network is proof, not inference: it decides when it tested anything.
  const partner = partnerChecks(checks);
  if (partner.length > 0) return partner.some((c) => c.status === 'pass') ? 'pass' : 'fail';
  // a relayed session refused at the credentials never tested the path
  const relay = checks.filter((c) => c.layer === 'L4' && !c.hairpin && !c.auth && c.status !== 'untested');
  const hairpinPassed = checks.some((c) => c.hairpin && c.layer === 'L4' && c.status === 'pass');
  if (relay.some((c) => c.status === 'pass') || hairpinPassed) return 'pass';
  if (relay.length > 0) return 'fail';
  const external = checks.filter(
    (c) => (c.layer === 'L2' || c.layer === 'L3') && c.status !== 'untested' && !c.auth,
  );
  if (external.length > 0 && external.every((c) => c.status === 'fail')) return 'fail';
  const stunPassed = checks.some((c) => c.probe === 'stun-binding' && c.status === 'pass');
  if (stunPassed && natMapping(checks) === 'endpoint-independent') return 'pass';
  return 'untested';
}

/** The partner sessions that say something about the path across networks (L4, tested, not extra). */
export function partnerChecks(checks: readonly Check[]): Check[] {
  return checks.filter(
    (c) => isPartnerSession(c) && c.layer === 'L4' && !c.hairpin && c.status !== 'untested',
  );
}
