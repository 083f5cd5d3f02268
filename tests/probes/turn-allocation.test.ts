import { parseConfig } from '../../src/core/config/load';
import type { AttemptReport } from '../../src/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { turnAllocationProbe } from '../../src/core/probes/turn-allocation';
import type { Probe } from '../../src/core/probes/types';
import { hasCoturn, startCoturn, type Coturn } from '../helpers/coturn';
import { startUdpResponder } from '../helpers/hostile-udp';
import { freePort } from '../helpers/ports';
import { runProbe } from '../helpers/probe';

const probe = turnAllocationProbe as unknown as Probe;

if (!hasCoturn)
  console.warn(
    'SKIPPED: turn-allocation tests need Debian coturn (/usr/bin/turnserver); .ci/run installs it',
  );

describe.skipIf(!hasCoturn)('turn-allocation probe against a real coturn', () => {
  let turn: Coturn;
  beforeAll(async () => {
    turn = await startCoturn();
  });
  afterAll(() => turn?.stop());

  const target = (transport: 'udp' | 'tcp', username?: string, credential?: string) => ({
    kind: 'turn' as const,
    url: `turn:127.0.0.1:${turn.port}?transport=${transport}`,
    ...(username !== undefined ? { username } : {}),
    ...(credential !== undefined ? { credential } : {}),
  });

  it.each(['udp', 'tcp'] as const)(
    'allocates a relay over %s with long-term credentials, then releases it',
    async (transport) => {
      const { attempts, events, ledger } = await runProbe(probe, target(transport, turn.user, turn.password));
      const [a] = attempts;
      expect(a?.outcome).toBe('success');
      expect(a?.metrics.transport).toBe(transport);
      expect(a?.metrics.relayAddress).toBe('127.0.0.1');
      expect(a?.metrics.relayPort).toBeGreaterThan(0);
      expect(a?.metrics.authenticated).toBe(true);
      expect(a?.metrics.integrityValid).toBe(true);
      expect(a?.metrics.released).toBe(true);
      expect(typeof a?.metrics.allocationMs).toBe('number');
      expect(events.map((e) => e.name)).toEqual(
        expect.arrayContaining(['turn.allocate.challenge', 'turn.allocate.success', 'turn.refresh.released']),
      );
      expect(ledger.counts().leaked).toBe(0);
    },
  );

  it('explains a wrong password as a credentials problem (401), not "server down", and does not retry blindly', async () => {
    const { attempts, ledger } = await runProbe(probe, target('udp', turn.user, 'wrong-password'), {
      maxAttempts: 1,
    });
    const [a] = attempts;
    expect(a?.outcome).toBe('error');
    expect(a?.errorClass).toBe('server-error');
    expect(a?.metrics.errorCode).toBe(401);
    expect(a?.metrics.cause).toBe('auth');
    expect(a?.errorMessage).toMatch(/username or password is wrong/);
    expect(ledger.counts().leaked).toBe(0);
  });

  it('says plainly when the server wants credentials the target does not carry', async () => {
    // the config refuses such a target (WebRTC would too); the probe still explains it when a
    // target reaches it some other way
    expect(() => parseConfig({ targets: [target('udp')] })).toThrow(/a TURN server needs a username/);
    const { attempts, ledger } = await runProbe(probe, target('udp'), { unchecked: true });
    expect(attempts[0]?.errorClass).toBe('server-error');
    expect(attempts[0]?.errorMessage).toMatch(/asks for credentials .* no username\/credential/);
    expect(ledger.counts().leaked).toBe(0);
  });
});

describe.skipIf(!hasCoturn)('turn-allocation probe against a coturn out of relay ports', () => {
  let turn: Coturn;
  beforeAll(async () => {
    // coturn frees relay ports lazily: a handful of ports runs out after a few quick allocations
    turn = await startCoturn({ relayPorts: 4 });
  });
  afterAll(() => turn?.stop());

  it('explains 508 Insufficient Capacity as the server being full, not the credentials', async () => {
    const target = {
      kind: 'turn' as const,
      url: `turn:127.0.0.1:${turn.port}`,
      username: turn.user,
      credential: turn.password,
    };
    let full: AttemptReport | undefined;
    for (let i = 0; i < 60 && !full; i++) {
      const { attempts, ledger } = await runProbe(probe, target);
      expect(ledger.counts().leaked).toBe(0);
      if (attempts[0]?.metrics.errorCode === 508) full = attempts[0];
    }
    expect(full?.errorClass).toBe('server-error');
    expect(full?.metrics.cause).toBe('capacity');
    expect(full?.errorMessage).toMatch(/out of relay capacity/);
  });
});

describe('turn-allocation probe failure classes', () => {
  it('a closed port is "refused"', async () => {
    const port = await freePort();
    const { attempts, ledger } = await runProbe(probe, {
      kind: 'turn',
      url: `turn:127.0.0.1:${port}`,
      username: 'u',
      credential: 'p',
    });
    expect(attempts[0]?.errorClass).toBe('refused');
    expect(ledger.counts().leaked).toBe(0);
  });

  it('a silent server is a "timeout" in the challenge stage', async () => {
    const silent = await startUdpResponder(() => null);
    const { attempts, ledger } = await runProbe(
      probe,
      { kind: 'turn', url: `turn:127.0.0.1:${silent.port}`, username: 'u', credential: 'p' },
      { stunMs: 600 },
    );
    await silent.close();
    expect(attempts[0]?.errorClass).toBe('timeout');
    expect(attempts[0]?.stage).toBe('challenge');
    expect(ledger.counts().leaked).toBe(0);
  });

  it('a plain STUN server (no TURN) is explained, not a crash', async () => {
    const garbage = await startUdpResponder(() => Buffer.from('not stun at all, but an answer'));
    const { attempts, ledger } = await runProbe(
      probe,
      { kind: 'turn', url: `turn:127.0.0.1:${garbage.port}`, username: 'u', credential: 'p' },
      { stunMs: 600 },
    );
    await garbage.close();
    expect(attempts[0]?.errorClass).toBe('malformed-reply');
    expect(ledger.counts().leaked).toBe(0);
  });

  it('is aborted cleanly when cancelled mid-transaction', async () => {
    const silent = await startUdpResponder(() => null);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const { attempts, ledger } = await runProbe(
      probe,
      { kind: 'turn', url: `turn:127.0.0.1:${silent.port}`, username: 'u', credential: 'p' },
      { stunMs: 5000, signal: controller.signal },
    );
    await silent.close();
    expect(attempts[0]?.outcome).toBe('aborted');
    expect(ledger.counts().leaked).toBe(0);
  });
});
