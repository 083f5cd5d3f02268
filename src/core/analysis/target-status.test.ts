import { describe, expect, it } from 'vitest';
import type { AttemptReport } from '../../contract';
import { targetStatus } from './target-status';

let n = 0;
function attempt(
  probe: string,
  outcome: AttemptReport['outcome'],
  metrics: AttemptReport['metrics'] = {},
  job = `job-${++n}`,
): AttemptReport {
  return {
    id: `a-${++n}`,
    correlationId: job,
    probe,
    targetId: 'stun-a',
    attempt: 1,
    outcome,
    stage: outcome === 'success' ? 'done' : 'connect',
    errorClass: outcome === 'success' ? null : 'timeout',
    errorMessage: outcome === 'success' ? null : 'no answer',
    startedAt: '2026-01-01T12:00:00.000Z',
    durationMs: 10,
    metrics,
  };
}

describe('targetStatus', () => {
  it('is up when every job succeeded first time', () => {
    expect(targetStatus([attempt('stun-binding', 'success'), attempt('nat-behavior', 'success')])).toBe('up');
  });

  it('is degraded when a job needed a retry or failed', () => {
    expect(
      targetStatus([
        attempt('stun-binding', 'timeout', {}, 'j'),
        attempt('stun-binding', 'success', {}, 'j'),
      ]),
    ).toBe('degraded');
    expect(targetStatus([attempt('stun-binding', 'success'), attempt('nat-behavior', 'timeout')])).toBe(
      'degraded',
    );
  });

  it('is down when nothing succeeded, untested when nothing ran', () => {
    expect(targetStatus([attempt('stun-binding', 'timeout')])).toBe('down');
    expect(targetStatus([attempt('stun-binding', 'aborted')])).toBe('untested');
  });

  it('ignores a failed reflexive-only session (hairpinning), seen in the network lab as "degraded"', () => {
    const attempts = [
      attempt('stun-binding', 'success'),
      attempt('peer-connection', 'timeout', { path: 'srflx' }),
      // cut short with no metrics: on a STUN server it can only be the reflexive session
      attempt('peer-connection', 'timeout', {}),
    ];
    expect(targetStatus(attempts, 'stun')).toBe('up');
  });
});
