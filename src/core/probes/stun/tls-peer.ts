import { X509Certificate } from 'node:crypto';
import {
  checkServerIdentity,
  type DetailedPeerCertificate,
  type PeerCertificate,
  type TLSSocket,
} from 'node:tls';
import { ProbeFailure, type Metrics } from '../types';

/** A certificate that expires within this many days still works, with a warning (issue 18). */
export const EXPIRY_WARNING_DAYS = 14;
const DAY_MS = 86_400_000;

export interface TlsPeer {
  /** The certificate and session facts an attempt keeps in its metrics (and so in the bundle). */
  facts: Metrics;
  /** Why the server cannot be trusted, with the facts attached; null when it can. */
  failure: ProbeFailure | null;
  /** A certificate that works but expires soon. */
  warning: string | null;
}

function name(part: PeerCertificate['subject'] | undefined): string {
  const cn = part?.CN;
  const text = Array.isArray(cn) ? cn.join(', ') : cn;
  return text || part?.O?.toString() || 'an unnamed party';
}

/**
 * Judges the certificate a TLS STUN/TURN server presented, as a browser would: the chain against the
 * system store (plus `tls.caFile`), the validity dates, and the URL's host against its names. The
 * connection is opened with `rejectUnauthorized: false` so that even a refused certificate can be
 * described (subject, issuer, dates), then refused here with a plain cause.
 */
export function judgePeer(
  socket: TLSSocket,
  host: string,
  stage: string,
  extraCa: string | null = null,
  now = Date.now(),
): TlsPeer {
  const cert = socket.getPeerCertificate(true);
  const validTo = cert.valid_to ? Date.parse(cert.valid_to) : NaN;
  const validFrom = cert.valid_from ? Date.parse(cert.valid_from) : NaN;
  const daysLeft = Number.isFinite(validTo) ? Math.floor((validTo - now) / DAY_MS) : null;
  const expiry = Number.isFinite(validTo) ? new Date(validTo).toISOString() : null;
  const facts: Metrics = {
    tlsSubject: name(cert.subject),
    tlsIssuer: name(cert.issuer),
    tlsNames: cert.subjectaltname ? cert.subjectaltname.slice(0, 300) : null,
    tlsValidFrom: Number.isFinite(validFrom) ? new Date(validFrom).toISOString() : null,
    tlsValidTo: expiry,
    tlsDaysLeft: daysLeft,
    tlsProtocol: socket.getProtocol(),
    // a browser's WebRTC stack trusts the system store only: a chain that needs `tls.caFile` fails there
    tlsTrustedBy: socket.authorized ? (chainsTo(cert, extraCa) ? 'caFile' : 'system') : null,
  };
  const fail = (message: string, cause: string) =>
    new ProbeFailure('tls', stage, message, { ...facts, tlsCause: cause });
  const code = socket.authorizationError ? String(socket.authorizationError) : null;
  if (code === 'CERT_HAS_EXPIRED' || (Number.isFinite(validTo) && validTo < now)) {
    return {
      facts,
      failure: fail(
        `TLS: the server's certificate (${facts.tlsSubject}) expired on ${expiry?.slice(0, 10)}: clients refuse it until the server gets a new one`,
        'expired',
      ),
      warning: null,
    };
  }
  if (code === 'CERT_NOT_YET_VALID' || (Number.isFinite(validFrom) && validFrom > now)) {
    return {
      facts,
      failure: fail(
        `TLS: the server's certificate (${facts.tlsSubject}) is not valid before ${facts.tlsValidFrom}: the server's clock or certificate is wrong`,
        'not-yet-valid',
      ),
      warning: null,
    };
  }
  const identity = checkServerIdentity(host, cert);
  if (identity || code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return {
      facts,
      failure: fail(
        `TLS: the server's certificate is for ${cert.subjectaltname || facts.tlsSubject}, not ${host} (name mismatch): clients refuse it; the URL must use a name on the certificate`,
        'name-mismatch',
      ),
      warning: null,
    };
  }
  if (code !== null || !socket.authorized) {
    return {
      facts,
      failure: fail(
        `TLS: the server's certificate is issued by ${facts.tlsIssuer}, which this machine does not trust (${code ?? 'unverified'}): a self-signed or private CA; add it with "tls": { "caFile": … } in the config, or use a publicly trusted certificate`,
        'untrusted',
      ),
      warning: null,
    };
  }
  const warning =
    daysLeft !== null && daysLeft <= EXPIRY_WARNING_DAYS
      ? `the server's TLS certificate expires in ${daysLeft} day(s), on ${expiry?.slice(0, 10)}`
      : null;
  return { facts: warning ? { ...facts, tlsWarning: warning } : facts, failure: null, warning };
}

/**
 * An error before the handshake finished: the port speaks something else than TLS (plain STUN/TURN on a
 * turns: URL), or the server refused the handshake with an alert. Null when it is not about TLS.
 */
export function handshakeFailure(error: unknown, endpoint: string, stage: string): ProbeFailure | null {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  if (
    /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST|UNKNOWN_PROTOCOL|RECORD_LAYER/.test(code) ||
    code === 'ECONNRESET'
  )
    return new ProbeFailure(
      'tls',
      stage,
      `TLS: ${endpoint} does not speak TLS (${code}): wrong protocol on the port; a turns:/stuns: URL needs the server's TLS port (often 5349 or 443)`,
      { tlsCause: 'wrong-protocol' },
    );
  if (/ALERT|HANDSHAKE|NO_SHARED_CIPHER|UNSUPPORTED_PROTOCOL/.test(code))
    return new ProbeFailure(
      'tls',
      stage,
      `TLS: ${endpoint} refused the TLS handshake (${code}): no protocol version or cipher in common`,
      { tlsCause: 'handshake-refused' },
    );
  return null;
}

/** Whether the presented chain reaches a certificate of the extra CA file (by fingerprint). */
function chainsTo(cert: DetailedPeerCertificate, extraCa: string | null): boolean {
  if (!extraCa) return false;
  const wanted = new Set<string>();
  for (const block of extraCa.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []) {
    try {
      wanted.add(new X509Certificate(block).fingerprint256);
    } catch {
      // not a certificate: it trusts nothing
    }
  }
  const seen = new Set<string>();
  for (
    let link: DetailedPeerCertificate | undefined = cert;
    link && !seen.has(link.fingerprint256);
    link = link.issuerCertificate
  ) {
    seen.add(link.fingerprint256);
    if (wanted.has(link.fingerprint256)) return true;
  }
  return false;
}
