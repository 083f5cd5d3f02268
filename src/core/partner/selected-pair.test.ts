import { describe, expect, it } from 'vitest';
import { isPrivateAddress, selectedPair } from './selected-pair';

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
    expect(found).toEqual({ local: 'host', remote: 'host', remoteAddress: '127.0.0.1', iceRttMs: 1.2 });
  });

  it('right at connect, before the transport names it, falls back to a succeeded pair (nominated or not)', async () => {
    const found = await selectedPair(stats([local, remote, pair({ state: 'succeeded', nominated: false })]));
    expect(found.remoteAddress).toBe('127.0.0.1');
    expect(isPrivateAddress(found.remoteAddress ?? '')).toBe(true);
  });

  it('answers nulls when no pair succeeded', async () => {
    const found = await selectedPair(stats([local, remote, pair({ state: 'failed' })]));
    expect(found).toEqual({ local: null, remote: null, remoteAddress: null, iceRttMs: null });
  });
});
