import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A lab CA and the leaf certificates the TLS tests need, made with Debian's openssl in `dir`. */
export interface LabCerts {
  /** The CA's certificate (PEM): what `tls.caFile` names. */
  caFile: string;
  /** For 127.0.0.1 and localhost, valid for 90 days. */
  good: LeafFiles;
  /** For 127.0.0.1, expired on 2020-02-01. */
  expired: LeafFiles;
  /** For turn.other.example only: a name mismatch on 127.0.0.1. */
  mismatch: LeafFiles;
  /** For 127.0.0.1, expiring in 5 days (a warning, not a failure). */
  soon: LeafFiles;
}
export interface LeafFiles {
  cert: string;
  key: string;
}

export interface LeafOptions {
  /** subjectAltName entries, openssl's form: `DNS:turn.lab.test`, `IP:203.0.113.30`. */
  names: readonly string[];
  /** Valid from/to (ms since the epoch); default from a day ago for 90 days. */
  from?: number;
  to?: number;
  /** The subject's common name; default `<file>.lab`. */
  commonName?: string;
}

/** A certificate authority in one folder, issuing leaf certificates. */
export interface CertAuthority {
  /** The CA's certificate (PEM). */
  caFile: string;
  /** Issues `<file>.pem` and `<file>.key` in the CA's folder. */
  leaf(file: string, options: LeafOptions): LeafFiles;
}

const CA_CONFIG = `[ ca ]
default_ca = lab
[ lab ]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[ any ]
commonName = supplied
`;

const DAY_MS = 86_400_000;

/** openssl's date form, YYYYMMDDHHMMSSZ. */
function stamp(ms: number): string {
  return `${new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

/** A self-signed CA named `commonName` (valid for 30 days) in `dir`, which must hold no other CA. */
export function makeCertAuthority(dir: string, commonName = 'RTC Triage Lab CA'): CertAuthority {
  mkdirSync(dir, { recursive: true });
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  writeFileSync(join(dir, 'ca.cnf'), CA_CONFIG);
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '01\n');
  run(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '30',
    ].concat(['-subj', `/CN=${commonName}`]),
  );
  return {
    caFile: join(dir, 'ca.pem'),
    leaf(file, options) {
      const now = Date.now();
      const from = options.from ?? now - DAY_MS;
      const to = options.to ?? now + 90 * DAY_MS;
      run(
        ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${file}.key`, '-out', `${file}.csr`].concat([
          '-subj',
          `/CN=${options.commonName ?? `${file}.lab`}`,
          '-addext',
          `subjectAltName=${options.names.join(',')}`,
        ]),
      );
      run(
        [
          'ca',
          '-batch',
          '-config',
          'ca.cnf',
          '-cert',
          'ca.pem',
          '-keyfile',
          'ca.key',
          '-in',
          `${file}.csr`,
        ].concat(['-out', `${file}.pem`, '-startdate', stamp(from), '-enddate', stamp(to), '-notext']),
      );
      return { cert: join(dir, `${file}.pem`), key: join(dir, `${file}.key`) };
    },
  };
}

export function makeLabCerts(dir: string): LabCerts {
  const ca = makeCertAuthority(dir);
  const now = Date.now();
  return {
    caFile: ca.caFile,
    good: ca.leaf('good', { names: ['IP:127.0.0.1', 'DNS:localhost'] }),
    expired: ca.leaf('expired', {
      names: ['IP:127.0.0.1'],
      from: Date.parse('2020-01-01'),
      to: Date.parse('2020-02-01'),
    }),
    mismatch: ca.leaf('mismatch', { names: ['DNS:turn.other.example'] }),
    soon: ca.leaf('soon', { names: ['IP:127.0.0.1'], from: now - DAY_MS, to: now + 5 * DAY_MS + 3_600_000 }),
  };
}
