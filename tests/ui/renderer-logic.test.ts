import { describe, expect, it } from 'vitest';
import type { Report, TargetReport } from '../../src/contract';
import { screenFromHash } from '../../src/renderer/src/routes';
import { serviceStatus } from '../../src/renderer/src/screens/overview/service-status';
import { draftFrom, validateDraft } from '../../src/renderer/src/screens/servers/target-draft';

function report(targets: Array<Partial<TargetReport>>, verdict: Partial<Report['verdict']> = {}): Report {
  return {
    schema: 'rtc-triage/report@1',
    runId: 'r',
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:00:01Z',
    durationMs: 1000,
    verdict: {
      kind: 'healthy',
      local: 'pass',
      crossNetwork: 'untested',
      confidence: 0.9,
      title: '',
      message: '',
      action: '',
      evidence: [],
      ...verdict,
    },
    targets: targets.map((t, i) => ({
      id: `t${i}`,
      kind: 'stun',
      layer: 'L2',
      url: `stun:s${i}.test`,
      status: 'up',
      rttMs: null,
      ...t,
    })),
    attempts: [],
    patterns: [],
    matrix: [],
    cleanup: { opened: 0, released: 0, leaked: 0 },
  };
}

describe('the status strip (the seed’s StatusIndicator)', () => {
  it('reads network from STUN/TURN, signaling from GUN/PeerJS, P2P from the verdict’s paths', () => {
    expect(serviceStatus(null)).toEqual({ p2p: 'untested', signaling: 'untested', network: 'untested' });
    const all = report([{ kind: 'stun' }, { kind: 'turn' }, { kind: 'gun', layer: 'L3' }]);
    expect(serviceStatus(all)).toEqual({ p2p: 'online', signaling: 'online', network: 'online' });
    const some = report(
      [{ kind: 'stun' }, { kind: 'stun', status: 'down' }, { kind: 'gun', status: 'down', layer: 'L3' }],
      { kind: 'partial-outage', crossNetwork: 'fail' },
    );
    expect(serviceStatus(some)).toEqual({ p2p: 'degraded', signaling: 'offline', network: 'degraded' });
    expect(serviceStatus(report([{ kind: 'stun', status: 'degraded' }])).network).toBe('degraded');
    expect(serviceStatus(report([], { local: 'fail' })).p2p).toBe('offline');
    expect(serviceStatus(report([{ kind: 'stun' }], { kind: 'offline' })).signaling).toBe('offline');
  });

  it('counts the embedded lab only when no outside server of the kind was tested', () => {
    const labOnly = report([{ kind: 'gun', layer: 'L1', status: 'up' }]);
    expect(serviceStatus(labOnly).signaling).toBe('online');
    const both = report([
      { kind: 'gun', layer: 'L1', status: 'up' },
      { kind: 'gun', layer: 'L3', status: 'down' },
    ]);
    expect(serviceStatus(both).signaling).toBe('offline');
    expect(serviceStatus(report([{ kind: 'stun', status: 'untested' }])).network).toBe('untested');
  });
});

describe('the server editor’s validation (the config file’s schema)', () => {
  it('names the field and the problem as the user types', () => {
    const draft = draftFrom();
    expect(validateDraft(draft).errors.url).toBe('enter the server URL');
    expect(validateDraft({ ...draft, url: 'stun:bad host' }).errors.url).toContain('is not a STUN/TURN URL');
    expect(validateDraft({ ...draft, url: 'stun:127.0.0.1:70000' }).errors.url).toContain('out of range');
    expect(validateDraft({ ...draft, kind: 'turn', url: 'stun:h:1' }).errors.url).toContain(
      'expected a turn/turns: URL',
    );
    expect(validateDraft({ ...draft, kind: 'gun', url: 'ftp://x' }).errors.url).toContain('http(s)://');
    expect(validateDraft({ ...draft, url: 'stun:h:1', id: 'x'.repeat(65) }).errors.id).toBeDefined();
    expect(validateDraft({ ...draft, url: 'stun:h:1', id: 'a' }, new Set(['a'])).errors.id).toContain(
      'already the id',
    );
  });

  it('gives the target, with only the fields of its kind', () => {
    const turn = validateDraft({
      ...draftFrom(),
      kind: 'turn',
      url: ' turn:h:3478?transport=tcp ',
      username: 'u',
      credential: ' p ',
      key: 'ignored',
    });
    expect(turn).toEqual({
      target: { kind: 'turn', url: 'turn:h:3478?transport=tcp', username: 'u', credential: ' p ' },
      errors: {},
    });
    const peer = validateDraft({ ...draftFrom({ kind: 'peerjs', url: 'https://p/peerjs', key: 'k' }) });
    expect(peer.target).toEqual({ kind: 'peerjs', url: 'https://p/peerjs', key: 'k' });
    expect(draftFrom({ kind: 'turn', url: 'turn:h', username: 'u' })).toMatchObject({
      username: 'u',
      key: '',
    });
  });
});

describe('navigation', () => {
  it('maps the hash to a screen, the overview by default', () => {
    expect(screenFromHash('')).toBe('overview');
    expect(screenFromHash('#/history')).toBe('history');
    expect(screenFromHash('#history?x=1')).toBe('history');
    expect(screenFromHash('#/nope')).toBe('overview');
  });
});
