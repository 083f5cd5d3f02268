import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configuredTarget } from '../../src/core/config/targets';
import { natBehaviorProbe } from '../../src/core/probes/nat-behavior';
import type { Probe } from '../../src/core/probes/types';
import { startLabStunServer, type LabStunServer } from '../../src/lab';
import { hasCoturn, startCoturn, type Coturn } from '../helpers/coturn';
import { startUdpResponder } from '../helpers/hostile-udp';
import { runProbe } from '../helpers/probe';

const probe = natBehaviorProbe as unknown as Probe;

if (!hasCoturn)
  console.warn('SKIPPED: RFC 5780 tests need Debian coturn (/usr/bin/turnserver); .ci/run installs it');

describe.skipIf(!hasCoturn)('nat-behavior probe against coturn with two addresses (RFC 5780)', () => {
  let turn: Coturn;
  beforeAll(async () => {
    turn = await startCoturn({ rfc5780: true });
  });
  afterAll(() => turn?.stop());

  it('finds endpoint-independent mapping and filtering on loopback (no NAT)', async () => {
    const { attempts, events, ledger } = await runProbe(probe, {
      kind: 'stun',
      url: `stun:127.0.0.1:${turn.port}`,
    });
    const [a] = attempts;
    expect(a?.outcome).toBe('success');
    expect(a?.metrics.rfc5780).toBe(true);
    expect(a?.metrics.otherAddress).toBe(`127.0.0.2:${turn.port + 1}`);
    expect(a?.metrics.mapping).toBe('endpoint-independent');
    expect(a?.metrics.filtering).toBe('endpoint-independent');
    expect(a?.metrics.directLikely).toBe(true);
    expect(events.map((e) => e.name)).toEqual(expect.arrayContaining(['nat.mapping', 'nat.filtering']));
    expect(ledger.counts().leaked).toBe(0);
  });
});

describe('nat-behavior probe without RFC 5780 support', () => {
  let lab: LabStunServer;
  beforeAll(async () => {
    lab = await startLabStunServer();
  });
  afterAll(() => lab.close());

  it('answers "inconclusive" (never a guess) when the server gives no OTHER-ADDRESS', async () => {
    const { attempts, ledger } = await runProbe(probe, {
      kind: 'stun',
      url: `stun:127.0.0.1:${lab.udpPort}`,
    });
    expect(attempts[0]?.outcome).toBe('success');
    expect(attempts[0]?.metrics.mapping).toBe('inconclusive');
    expect(attempts[0]?.metrics.reason).toMatch(/does not support RFC 5780/);
    expect(ledger.counts().leaked).toBe(0);
  });

  it('answers "inconclusive" over TCP without sending anything', async () => {
    const { attempts } = await runProbe(probe, {
      kind: 'stun',
      url: `stun:127.0.0.1:${lab.tcpPort}?transport=tcp`,
    });
    expect(attempts[0]?.metrics.mapping).toBe('inconclusive');
  });

  it('is not planned for a STUN target over TCP or TLS (RFC 5780 needs UDP)', () => {
    const target = (url: string) => configuredTarget({ kind: 'stun', url, id: url, layer: 'L2' });
    expect(probe.appliesTo?.(target(`stun:127.0.0.1:${lab.tcpPort}?transport=tcp`))).toBe(false);
    expect(probe.appliesTo?.(target('stuns:127.0.0.1:5349'))).toBe(false);
    expect(probe.appliesTo?.(target(`stun:127.0.0.1:${lab.udpPort}`))).toBe(true);
  });

  it('a server answering garbage is a "malformed-reply"', async () => {
    const garbage = await startUdpResponder(() => Buffer.from('this is not STUN'));
    const { attempts, ledger } = await runProbe(
      probe,
      { kind: 'stun', url: `stun:127.0.0.1:${garbage.port}` },
      { stunMs: 600 },
    );
    await garbage.close();
    expect(attempts[0]?.errorClass).toBe('malformed-reply');
    expect(ledger.counts().leaked).toBe(0);
  });

  it('a silent server is a timeout in the first test', async () => {
    const silent = await startUdpResponder(() => null);
    const { attempts, ledger } = await runProbe(
      probe,
      { kind: 'stun', url: `stun:127.0.0.1:${silent.port}` },
      { stunMs: 600 },
    );
    await silent.close();
    expect(attempts[0]?.errorClass).toBe('timeout');
    expect(attempts[0]?.stage).toBe('test-1');
    expect(ledger.counts().leaked).toBe(0);
  });
});
