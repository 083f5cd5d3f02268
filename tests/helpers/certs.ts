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

/** openssl's date form, YYYYMMDDHHMMSSZ. */
function stamp(ms: number): string {
  return `${new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

export function makeLabCerts(dir: string): LabCerts {
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
    ].concat(['-subj', '/CN=RTC Triage Lab CA']),
  );
  const now = Date.now();
  const day = 86_400_000;
  const leaf = (name: string, san: string, from: number, to: number): LeafFiles => {
    run(
      ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`].concat([
        '-subj',
        `/CN=${name}.lab`,
        '-addext',
        `subjectAltName=${san}`,
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
        `${name}.csr`,
      ].concat(['-out', `${name}.pem`, '-startdate', stamp(from), '-enddate', stamp(to), '-notext']),
    );
    return { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) };
  };
  return {
    caFile: join(dir, 'ca.pem'),
    good: leaf('good', 'IP:127.0.0.1,DNS:localhost', now - day, now + 90 * day),
    expired: leaf('expired', 'IP:127.0.0.1', Date.parse('2020-01-01'), Date.parse('2020-02-01')),
    mismatch: leaf('mismatch', 'DNS:turn.other.example', now - day, now + 90 * day),
    soon: leaf('soon', 'IP:127.0.0.1', now - day, now + 5 * day + 3_600_000),
  };
}
