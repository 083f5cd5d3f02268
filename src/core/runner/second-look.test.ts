import { describe, expect, it } from 'vitest';
import type { AttemptReport, ErrorClass, TargetReport } from '../../contract';
import { parseConfig } from '../config/load';
import { resolveTargets } from '../config/targets';
import { planJobs } from './schedule';
import { lossSeenBesides, secondLookPlan, secondLookTargets } from './second-look';

let n = 0;
const attempt = (
  targetId: string,
  job: string,
  outcome: AttemptReport['outcome'],
  errorClass: ErrorClass | null = outcome === 'timeout' ? 'timeout' : null,
): AttemptReport =>
  ({
    id: `a${++n}`,
    correlationId: `${targetId}/${job}`,
    probe: job,
    targetId,
    attempt: 1,
    outcome,
    stage: 'x',
    errorClass,
    errorMessage: null,
    durationMs: 1,
    metrics: {},
    startedAt: new Date(0).toISOString(),
  }) as AttemptReport;
const down = (id: string): TargetReport => ({
  id,
  kind: 'stun',
  layer: 'L2',
  url: `stun:${id}`,
  status: 'down',
  rttMs: null,
});

describe('the second look (runner/second-look.ts)', () => {
  const recovered = [
    attempt('other', 'stun-binding', 'timeout'),
    attempt('other', 'stun-binding', 'success'),
  ];

  it('reads a job that timed out and then succeeded as loss; a job that never succeeds is no sign', () => {
    expect(lossSeenBesides(recovered, 'quiet')).toBe(true);
    expect(lossSeenBesides(recovered, 'other')).toBe(false); // not the server's own job
    const neverAnswers = [
      attempt('other', 'peer-connection', 'timeout'),
      attempt('other', 'peer-connection', 'timeout'),
    ];
    expect(lossSeenBesides(neverAnswers, 'quiet')).toBe(false);
  });

  it('looks again only at a down server whose every attempt timed out', () => {
    const attempts = [
      ...recovered,
      attempt('quiet', 'stun-binding', 'timeout'),
      attempt('quiet', 'ice-gathering', 'skipped'),
      attempt('refusing', 'stun-binding', 'error', 'refused'),
      attempt('mixed', 'stun-binding', 'timeout'),
      attempt('mixed', 'turn-allocation', 'error', 'server-error'),
    ];
    expect(secondLookTargets([down('quiet'), down('refusing'), down('mixed')], attempts)).toEqual(['quiet']);
    expect(secondLookTargets([{ ...down('quiet'), status: 'degraded' }], attempts)).toEqual([]);
    // no loss elsewhere: down at once
    expect(secondLookTargets([down('quiet')], attempts.slice(2))).toEqual([]);
  });

  it("plans the server's jobs again as new jobs, their prerequisites among themselves, no other server's", () => {
    const config = parseConfig({
      targets: [
        { kind: 'stun', id: 'a', url: 'stun:127.0.0.1:3478' },
        { kind: 'stun', id: 'b', url: 'stun:127.0.0.1:3479' },
      ],
    });
    const targets = resolveTargets(config);
    const plan = planJobs(targets, config.timeouts);
    const again = secondLookPlan(
      plan,
      targets.filter((t) => t.id === 'b'),
    );
    const mine = plan.filter((j) => j.target.id === 'b');
    expect(again.map((j) => j.probe.name)).toEqual(mine.map((j) => j.probe.name));
    expect(again.every((j) => !plan.includes(j))).toBe(true);
    for (const job of again) {
      const old = mine.find((j) => j.probe === job.probe);
      expect(job.after?.probe.name).toBe(old?.after?.probe.name);
      if (job.after) expect(again).toContain(job.after);
    }
    expect(again.some((j) => j.after)).toBe(true);
  });
});
