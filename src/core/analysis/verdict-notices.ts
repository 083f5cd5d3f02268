import type { Evidence } from '../../contract';
import type { Check } from './checks';

/**
 * What every verdict says besides its own cause, whatever decided it (issue 18): a TLS certificate
 * that expires soon, and a `turns:` server that works for this tool only because the config's
 * tls.caFile trusts it while browsers will not relay through it. The run's verdict and the history's
 * verdict (when a stored pattern decides it) both carry them.
 */
export interface Notice {
  id: 'tls-expiring' | 'private-ca';
  /** One sentence appended to the verdict's action (after "Also: "). */
  sentence: string;
  /** The servers it names, for a title that must say it (a healthy verdict with a caveat). */
  subject: string;
  evidence: Evidence[];
  /** The checks it is about: not held against the server or the network by the verdict. */
  checks: Check[];
}

export function verdictNotices(checks: readonly Check[]): Notice[] {
  const notices: Notice[] = [];
  const expiring = expiringCertificates(checks);
  if (expiring.length > 0) {
    notices.push({
      id: 'tls-expiring',
      sentence: renewal(expiring),
      subject: urls(expiring),
      evidence: expiring.map((c) => ({
        attemptId: c.last.id,
        targetId: c.targetId,
        summary: `${c.layer}: ${c.url}: ${String(c.last.metrics.tlsWarning)}`,
      })),
      checks: [],
    });
  }
  const untrusted = relaysRefusedForPrivateCa(checks);
  if (untrusted.length > 0) {
    const byTarget = firstPerTarget(untrusted);
    const issuers = issuersOf(checks, byTarget);
    notices.push({
      id: 'private-ca',
      subject: urls(byTarget),
      sentence: `Browsers will not relay through ${urls(byTarget)}: its certificate (issued by ${issuers}) is trusted here only through the config's tls.caFile, and WebRTC (Chromium too) checks a TURN server's certificate against the system store alone. Give it a publicly trusted certificate, or users whose network lets only TLS out have no relay.`,
      evidence: byTarget.map((c) => ({
        attemptId: c.last.id,
        targetId: c.targetId,
        summary: `${c.layer}: ${c.url}: Chromium would not relay through it: its certificate is trusted only through tls.caFile (the allocation works, the relayed session got no relay candidate)`,
      })),
      checks: untrusted,
    });
  }
  return notices;
}

/** The notices' sentences as a verdict's action appends them ("Also: …"), but those it already says. */
export function alsoSentences(notices: readonly Notice[], said: readonly Notice['id'][] = []): string[] {
  return notices
    .filter((n) => !said.includes(n.id))
    .map((n) => `Also: ${n.sentence.charAt(0).toLowerCase()}${n.sentence.slice(1)}`);
}

/**
 * What the WebRTC stack failed to do through a TLS TURN server whose allocation works only because
 * the config's tls.caFile trusts its certificate (it checks the system store alone): relayed sessions
 * and the gathering of a relay candidate.
 */
export function relaysRefusedForPrivateCa(checks: readonly Check[]): Check[] {
  return checks.filter(
    (c) =>
      (c.layer === 'L4' || c.probe === 'ice-gathering') &&
      !c.auth &&
      !c.hairpin &&
      c.status === 'fail' &&
      trustedOnlyByCaFile(checks, c.targetId),
  );
}

export function trustedOnlyByCaFile(checks: readonly Check[], targetId: string): boolean {
  return checks.some(
    (c) =>
      c.targetId === targetId &&
      c.probe === 'turn-allocation' &&
      c.status === 'pass' &&
      c.last.metrics.tlsTrustedBy === 'caFile',
  );
}

/** The issuers of the allocations on these servers' TLS certificates, as their attempts recorded them. */
export function issuersOf(checks: readonly Check[], servers: readonly Check[]): string {
  const ids = new Set(servers.map((c) => c.targetId));
  const issuers = checks
    .filter((c) => ids.has(c.targetId) && c.probe === 'turn-allocation')
    .map((c) => c.last.metrics.tlsIssuer)
    .filter((i): i is string => typeof i === 'string' && i.length > 0);
  return [...new Set(issuers)].join(', ') || 'a private CA';
}

const urls = (checks: readonly Check[]) => [...new Set(checks.map((c) => c.url))].join(', ');

function firstPerTarget(checks: readonly Check[]): Check[] {
  const seen = new Set<string>();
  return checks.filter((c) => !seen.has(c.targetId) && seen.add(c.targetId));
}

/** Checks whose newest attempt warns that the server's TLS certificate expires soon (tls-peer.ts), one per server. */
function expiringCertificates(checks: readonly Check[]): Check[] {
  return firstPerTarget(checks.filter((c) => typeof c.last.metrics.tlsWarning === 'string'));
}

function renewal(expiring: readonly Check[]): string {
  const each = expiring.map((c) => {
    const until =
      typeof c.last.metrics.tlsValidTo === 'string' ? c.last.metrics.tlsValidTo.slice(0, 10) : 'soon';
    const days =
      typeof c.last.metrics.tlsDaysLeft === 'number' ? ` (${c.last.metrics.tlsDaysLeft} days left)` : '';
    return `${c.url} before ${until}${days}`;
  });
  return `Renew the TLS certificate of ${each.join(', ')}, or clients will refuse it.`;
}
