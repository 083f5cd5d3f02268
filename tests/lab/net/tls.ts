/**
 * The lab's TLS material, made once per process with openssl (tests/helpers/certs.ts): the lab CA
 * (what the config's `tls.caFile` names) with the TURN server's certificate and the two broken ones,
 * and a second CA, the "corporate inspection" CA of the TLS-intercepting proxy, which nothing trusts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCertAuthority, type LeafFiles } from '../../helpers/certs';
import { MISMATCH_CERT_NAME, NAMES, PUB, PUB6 } from './addresses';

export interface LabTls {
  /** The lab CA (PEM): the config's tls.caFile. */
  caFile: string;
  /** turn.lab.test and both its addresses. */
  turn: LeafFiles;
  /** expired.lab.test, valid 2020-01-01 to 2020-02-01. */
  expired: LeafFiles;
  /** For turn.other.example only, served as mismatch.lab.test. */
  mismatch: LeafFiles;
  /** The proxy's certificate for turn.lab.test, issued by another CA. */
  intercept: LeafFiles;
  interceptCaFile: string;
}

/** When the expired certificate ran out (the product must name this date). */
export const EXPIRED_ON = '2020-02-01';
export const INTERCEPT_CA_NAME = 'Corporate TLS Inspection CA';

let made: LabTls | undefined;

export function labTls(): LabTls {
  if (made) return made;
  const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-lab-tls-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const ca = makeCertAuthority(join(dir, 'lab'), 'RTC Triage Lab CA');
  const inspection = makeCertAuthority(join(dir, 'inspection'), INTERCEPT_CA_NAME);
  const turnNames = [`DNS:${NAMES.turn}`, `IP:${PUB.turn}`, `IP:${PUB6.turn}`];
  made = {
    caFile: ca.caFile,
    turn: ca.leaf('turn', { names: turnNames, commonName: NAMES.turn }),
    expired: ca.leaf('expired', {
      names: [`DNS:${NAMES.turnExpired}`, `IP:${PUB.turnExpired}`, `IP:${PUB6.turnExpired}`],
      commonName: NAMES.turnExpired,
      from: Date.parse('2020-01-01'),
      to: Date.parse(EXPIRED_ON),
    }),
    mismatch: ca.leaf('mismatch', { names: [`DNS:${MISMATCH_CERT_NAME}`], commonName: MISMATCH_CERT_NAME }),
    intercept: inspection.leaf('intercept', { names: turnNames, commonName: NAMES.turn }),
    interceptCaFile: inspection.caFile,
  };
  return made;
}
