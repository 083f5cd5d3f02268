import { describe, expect, it } from 'vitest';
import { isLocalOnly } from '../../contract/address-scope';
import { sameNetwork, selectedPair, type SelectedPair } from './selected-pair';

/** libwebrtc's stats as @roamhq/wrtc returns them: a Map-like of reports by id. */
function stats(reports: Array<Record<string, unknown>>) {
  return { getStats: async () => new Map(reports.map((r) => [String(r.id), r])) } as never;
}

const local = { id: 'L', type: 'local-candidate', candidateType: 'host', address: '127.0.0.1' };
const remote = { id: 'R', type: 'remote-candidate', candidateType: 'host', address: '127.0.0.1' };
const pair = (extra: Record<string, unknown>) => ({
  id: 'P',
  type: 'candidate-pair',
  localCandidateId: 'L',
  remoteCandidateId: 'R',
  currentRoundTripTime: 0.0012,
  ...extra,
});

describe('selectedPair', () => {
  it("uses the transport's selected pair", async () => {
    const found = await selectedPair(
      stats([
        local,
        remote,
        pair({ state: 'in-progress' }),
        { id: 'T', type: 'transport', selectedCandidatePairId: 'P' },
      ]),
    );
    expect(found).toEqual({
      local: 'host',
      remote: 'host',
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      iceRttMs: 1.2,
    });
  });

  it('right at connect, before the transport names it, falls back to a succeeded pair (nominated or not)', async () => {
    const found = await selectedPair(stats([local, remote, pair({ state: 'succeeded', nominated: false })]));
    expect(found.remoteAddress).toBe('127.0.0.1');
    expect(isLocalOnly(found.remoteAddress ?? '')).toBe(true);
  });

  it('answers nulls when no pair succeeded', async () => {
    const found = await selectedPair(stats([local, remote, pair({ state: 'failed' })]));
    expect(found).toEqual({
      local: null,
      remote: null,
      remoteAddress: null,
      localAddress: null,
      iceRttMs: null,
    });
  });
});

describe('sameNetwork (host-only sessions)', () => {
  const of = (extra: Partial<SelectedPair>): SelectedPair => ({
    local: 'host',
    remote: 'host',
    remoteAddress: null,
    localAddress: null,
    iceRttMs: null,
    ...extra,
  });

  it("decides by the partner's address when libwebrtc gives it", () => {
    expect(sameNetwork(of({ remoteAddress: '10.0.0.20', localAddress: '10.0.0.10' }))).toBe(true);
    expect(sameNetwork(of({ remoteAddress: '198.51.100.7', localAddress: '10.0.0.10' }))).toBe(false);
  });

  it("a peer-reflexive partner (address hidden) that reached this machine's private address is on its network", async () => {
    // what CI saw on one machine: the partner's checks arrived before its candidates
    const found = await selectedPair(
      stats([
        local,
        { id: 'R', type: 'remote-candidate', candidateType: 'prflx' },
        pair({ state: 'succeeded' }),
        { id: 'T', type: 'transport', selectedCandidatePairId: 'P' },
      ]),
    );
    expect(found).toMatchObject({ remote: 'prflx', remoteAddress: null, localAddress: '127.0.0.1' });
    expect(sameNetwork(found)).toBe(true);
  });

  it('cannot tell when this machine is public and the partner hidden, or when nothing is known', () => {
    expect(sameNetwork(of({ remote: 'prflx', localAddress: '203.0.113.5' }))).toBeNull();
    expect(sameNetwork(of({ remote: 'host', localAddress: '10.0.0.10' }))).toBeNull();
    expect(sameNetwork(of({ local: null, remote: null }))).toBeNull();
  });
});
