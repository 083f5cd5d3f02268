import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stunBindingProbe } from '../../src/core/probes/stun-binding';
import { turnAllocationProbe } from '../../src/core/probes/turn-allocation';
import type { Probe } from '../../src/core/probes/types';
import { makeLabCerts, type LabCerts } from '../helpers/certs';
import { hasCoturn, startCoturn, type Coturn } from '../helpers/coturn';
import { freePort } from '../helpers/ports';
import { runProbe } from '../helpers/probe';

// Issue 18, item 1: turns:/stuns: end to end against real coturn over TLS, the certificate judged as a
// browser would, with a plain cause for each way it can be wrong.

const turnProbe = turnAllocationProbe as unknown as Probe;
const stunProbe = stunBindingProbe as unknown as Probe;
const hasOpenssl = (() => {
  try {
    return readFileSync('/usr/bin/openssl').length > 0;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasCoturn || !hasOpenssl)('TLS STUN/TURN (turns:, stuns:) against real coturn', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-tls-'));
  let certs: LabCerts;
  let ca: string;
  const servers: Record<string, Coturn> = {};

  beforeAll(async () => {
    certs = makeLabCerts(join(dir, 'certs'));
    ca = readFileSync(certs.caFile, 'utf8');
    for (const name of ['good', 'expired', 'mismatch', 'soon'] as const)
      servers[name] = await startCoturn({ tls: certs[name] });
  }, 60_000);
  afterAll(async () => {
    for (const server of Object.values(servers)) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const turns = (name: string) => ({
    kind: 'turn' as const,
    url: `turns:127.0.0.1:${servers[name]!.tlsPort}`,
    username: servers[name]!.user,
    credential: servers[name]!.password,
  });

  it('allocates over TLS with the lab CA trusted (tls.caFile) and keeps the certificate facts', async () => {
    const { attempts, ledger } = await runProbe(turnProbe, turns('good'), { tlsCa: ca });
    const [a] = attempts;
    expect(a?.errorMessage ?? null).toBeNull();
    expect(a?.outcome).toBe('success');
    expect(a?.metrics).toMatchObject({
      transport: 'tls',
      tlsSubject: 'good.lab',
      tlsIssuer: 'RTC Triage Lab CA',
      tlsNames: 'IP Address:127.0.0.1, DNS:localhost',
    });
    expect(a?.metrics.tlsDaysLeft).toBeGreaterThanOrEqual(88);
    expect(a?.metrics.tlsWarning).toBeUndefined();
    expect(ledger.counts().leaked).toBe(0);
  });

  it('a stuns: binding works over the same TLS port', async () => {
    const { attempts } = await runProbe(
      stunProbe,
      { kind: 'stun', url: `stuns:127.0.0.1:${servers.good!.tlsPort}` },
      {
        tlsCa: ca,
      },
    );
    expect(attempts[0]?.outcome).toBe('success');
    expect(attempts[0]?.metrics.tlsIssuer).toBe('RTC Triage Lab CA');
  });

  it.each([
    [
      'good',
      false,
      'untrusted',
      /issued by RTC Triage Lab CA, which this machine does not trust .*tls.*caFile/,
    ],
    ['expired', true, 'expired', /expired on 2020-02-01/],
    [
      'mismatch',
      true,
      'name-mismatch',
      /is for DNS:turn\.other\.example, not 127\.0\.0\.1 \(name mismatch\)/,
    ],
  ] as const)(
    '%s certificate (CA trusted: %s) is refused as %s, described',
    async (name, trusted, cause, message) => {
      const { attempts, ledger } = await runProbe(turnProbe, turns(name), trusted ? { tlsCa: ca } : {});
      const [a] = attempts;
      expect(a?.outcome).toBe('error');
      expect(a?.errorClass).toBe('tls');
      expect(a?.errorMessage).toMatch(message);
      expect(a?.metrics).toMatchObject({ tlsCause: cause, tlsIssuer: 'RTC Triage Lab CA' });
      expect(typeof a?.metrics.tlsValidTo).toBe('string');
      expect(ledger.counts().leaked).toBe(0);
    },
  );

  it('a certificate expiring within 14 days works, with a warning in the metrics and an event', async () => {
    const { attempts, events } = await runProbe(turnProbe, turns('soon'), { tlsCa: ca });
    const [a] = attempts;
    expect(a?.outcome).toBe('success');
    expect(a?.metrics.tlsDaysLeft).toBe(5);
    expect(a?.metrics.tlsWarning).toMatch(/expires in 5 day\(s\), on \d{4}-\d{2}-\d{2}/);
    expect(events.some((e) => e.name === 'tls.certificate.expiring')).toBe(true);
  });

  it('a turns: URL on a port that speaks plain STUN is a wrong protocol, not a timeout', async () => {
    // (coturn itself accepts TLS on its plain port too; this server answers TLS's hello with plain STUN bytes)
    const plain = createServer((socket) => {
      socket.once('data', () =>
        socket.end(
          Buffer.concat([Buffer.from([0x01, 0x01, 0, 0, 0x21, 0x12, 0xa4, 0x42]), Buffer.alloc(12)]),
        ),
      );
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', () => resolve()));
    try {
      const port = (plain.address() as AddressInfo).port;
      const { attempts, ledger } = await runProbe(
        turnProbe,
        { ...turns('good'), url: `turns:127.0.0.1:${port}` },
        { tlsCa: ca },
      );
      expect(attempts[0]?.errorClass).toBe('tls');
      expect(attempts[0]?.errorMessage).toMatch(
        /127\.0\.0\.1:\d+ does not speak TLS .*wrong protocol on the port/,
      );
      expect(attempts[0]?.metrics.tlsCause).toBe('wrong-protocol');
      expect(ledger.counts().leaked).toBe(0);
    } finally {
      await new Promise<void>((resolve) => plain.close(() => resolve()));
    }
  });

  it('a closed TLS port is refused', async () => {
    const closed = await freePort();
    const { attempts } = await runProbe(turnProbe, { ...turns('good'), url: `turns:127.0.0.1:${closed}` });
    expect(attempts[0]?.errorClass).toBe('refused');
  });
});
