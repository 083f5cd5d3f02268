import { describe, expect, it } from 'vitest';
import type { TargetReport } from '../../contract';
import { servicesOf } from './services';
import { verdictFor } from './verdict';

type Seen = Pick<TargetReport, 'kind' | 'layer' | 'status'>;
const t = (kind: Seen['kind'], status: Seen['status'] = 'up', layer?: Seen['layer']): Seen => ({
  kind,
  status,
  layer: layer ?? (kind === 'stun' || kind === 'turn' ? 'L2' : 'L3'),
});
const healthy = { kind: 'healthy', local: 'pass', crossNetwork: 'untested' } as const;

describe('services at a glance, decided with the verdict', () => {
  it('reads network from STUN/TURN, signaling from GUN/PeerJS, P2P from the verdict’s paths', () => {
    expect(servicesOf([t('stun'), t('turn'), t('gun')], healthy)).toEqual({
      p2p: 'online',
      signaling: 'online',
      network: 'online',
    });
    const some = [t('stun'), t('stun', 'down'), t('gun', 'down')];
    expect(servicesOf(some, { kind: 'partial-outage', local: 'pass', crossNetwork: 'fail' })).toEqual({
      p2p: 'degraded',
      signaling: 'offline',
      network: 'degraded',
    });
    expect(servicesOf([t('stun', 'degraded')], healthy).network).toBe('degraded');
    expect(servicesOf([], { ...healthy, local: 'fail' }).p2p).toBe('offline');
    expect(servicesOf([t('stun', 'untested')], healthy).network).toBe('untested');
  });

  it('says "not configured" for a kind with no server, even when the machine is offline', () => {
    const offline = { kind: 'offline', local: 'pass', crossNetwork: 'fail' } as const;
    expect(servicesOf([t('stun', 'down')], offline)).toEqual({
      p2p: 'degraded',
      signaling: 'not-configured',
      network: 'offline',
    });
    expect(servicesOf([], healthy)).toMatchObject({ signaling: 'not-configured', network: 'not-configured' });
  });

  it('counts the embedded lab only when no outside server of the kind was tested', () => {
    expect(servicesOf([t('gun', 'up', 'L1')], healthy).signaling).toBe('online');
    expect(servicesOf([t('gun', 'up', 'L1'), t('gun', 'down')], healthy).signaling).toBe('offline');
    // the lab answers on loopback when nothing outside does: offline names the outside servers only
    const offline = { kind: 'offline', local: 'pass', crossNetwork: 'fail' } as const;
    expect(servicesOf([t('gun', 'up', 'L1'), t('stun', 'down')], offline)).toMatchObject({
      signaling: 'online',
      network: 'offline',
    });
  });

  it('comes with every verdict verdictFor gives', () => {
    const verdict = verdictFor({ targets: [], attempts: [], appFailing: false, cancelled: false });
    expect(verdict.services).toEqual({
      p2p: 'untested',
      signaling: 'not-configured',
      network: 'not-configured',
    });
  });
});
