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
  it('shows what the verdict says of each service, never a status of its own', () => {
    expect(serviceStatus(null)).toEqual({ p2p: 'untested', signaling: 'untested', network: 'untested' });
    // a report stored before verdicts carried their services
    expect(serviceStatus(report([{ kind: 'stun', status: 'down' }], { kind: 'offline' }))).toEqual({
      p2p: 'untested',
      signaling: 'untested',
      network: 'untested',
    });
    const services = { p2p: 'degraded', signaling: 'not-configured', network: 'offline' } as const;
    expect(serviceStatus(report([{ kind: 'stun', status: 'down' }], { kind: 'offline', services }))).toEqual(
      services,
    );
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
