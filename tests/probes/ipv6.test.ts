import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stunBindingProbe } from '../../src/core/probes/stun-binding';
import { turnAllocationProbe } from '../../src/core/probes/turn-allocation';
import type { Probe } from '../../src/core/probes/types';
import { hasCoturn, startCoturn, type Coturn } from '../helpers/coturn';
import { runProbe } from '../helpers/probe';

// Issue 18, item 2 (in part): STUN and TURN over IPv6 against real coturn on ::1. A TURN client on
// IPv6 must ask for an IPv6 relay with REQUESTED-ADDRESS-FAMILY (RFC 6156 §4.1.1); without it coturn
// answers 440 Unsupported address family.

const turnProbe = turnAllocationProbe as unknown as Probe;
const stunProbe = stunBindingProbe as unknown as Probe;

describe.skipIf(!hasCoturn)('STUN/TURN over IPv6 (coturn on ::1)', () => {
  let turn: Coturn;
  beforeAll(async () => {
    turn = await startCoturn({ ip: '::1' });
  }, 30_000);
  afterAll(() => turn?.stop());

  it.each(['udp', 'tcp'] as const)(
    'a STUN binding over %s sees an IPv6 reflexive address',
    async (transport) => {
      const { attempts } = await runProbe(stunProbe, {
        kind: 'stun',
        url: `stun:[::1]:${turn.port}${transport === 'tcp' ? '?transport=tcp' : ''}`,
      });
      expect(attempts[0]?.errorMessage ?? null).toBeNull();
      expect(attempts[0]?.metrics).toMatchObject({ mappedAddress: '::1', mappedFamily: 'IPv6' });
    },
  );

  it.each(['udp', 'tcp'] as const)(
    'a TURN allocation over %s gets an IPv6 relay (REQUESTED-ADDRESS-FAMILY)',
    async (transport) => {
      const { attempts, ledger } = await runProbe(turnProbe, {
        kind: 'turn',
        url: `turn:[::1]:${turn.port}?transport=${transport}`,
        username: turn.user,
        credential: turn.password,
      });
      const [a] = attempts;
      expect(a?.errorMessage ?? null).toBeNull();
      expect(a?.outcome).toBe('success');
      expect(a?.metrics).toMatchObject({ relayAddress: '::1', relayFamily: 'IPv6', requestedFamily: 'IPv6' });
      expect(ledger.counts().leaked).toBe(0);
    },
  );
});
