import { describe, expect, it } from 'vitest';
import {
  gradeFigure,
  pathQualityOf,
  qualityThresholdsText,
  QUALITY_THRESHOLDS,
  summarisePath,
  type QualitySource,
} from './quality';
import { ReportSchema } from './report';

describe('gradeFigure', () => {
  it('grades RTT against 100 / 250 / 400 ms, each bound belonging to the worse grade', () => {
    expect([0, 99.9, 100, 249, 250, 399, 400, 2000].map((v) => gradeFigure('rttMs', v))).toEqual([
      'good',
      'good',
      'fair',
      'fair',
      'poor',
      'poor',
      'bad',
      'bad',
    ]);
  });

  it('grades jitter against 5 / 10 / 30 ms and loss against 1 / 3 / 8 %', () => {
    expect([4.9, 5, 10, 30].map((v) => gradeFigure('jitterMs', v))).toEqual(['good', 'fair', 'poor', 'bad']);
    expect([0, 1, 3, 8, 100].map((v) => gradeFigure('lossPct', v))).toEqual([
      'good',
      'fair',
      'poor',
      'bad',
      'bad',
    ]);
  });

  it('keeps the published bounds as data', () => {
    expect(QUALITY_THRESHOLDS).toMatchObject({
      rttMs: { good: 100, fair: 250, poor: 400, unit: 'ms' },
      jitterMs: { good: 5, fair: 10, poor: 30, unit: 'ms' },
      lossPct: { good: 1, fair: 3, poor: 8, unit: '%' },
    });
  });
});

describe('summarisePath', () => {
  it('is good when every figure is', () => {
    expect(summarisePath({ rttMsP50: 12, jitterMs: 0.4, lossPct: 0 })).toEqual({
      grade: 'good',
      words: 'good: every figure is within the good bounds',
    });
  });

  it('takes the worst figure and names it', () => {
    expect(summarisePath({ rttMsP50: 40, jitterMs: 2, lossPct: 5 })).toEqual({
      grade: 'poor',
      words: 'poor: loss 5 % is poor (≥ 3 %)',
    });
  });

  it('names every figure that shares the worst grade', () => {
    const { grade, words } = summarisePath({ rttMsP50: 420, jitterMs: 31, lossPct: 0 });
    expect(grade).toBe('bad');
    expect(words).toBe('bad: RTT p50 420 ms is bad (≥ 400 ms), jitter 31 ms is bad (≥ 30 ms)');
  });

  it('grades what was measured, and nothing when nothing was', () => {
    expect(summarisePath({ rttMsP50: 150, jitterMs: null, lossPct: null }).grade).toBe('fair');
    expect(summarisePath({ rttMsP50: null, jitterMs: null, lossPct: null })).toEqual({
      grade: null,
      words: 'not measured',
    });
  });
});

describe('qualityThresholdsText', () => {
  it('prints every bound and the sources', () => {
    const text = qualityThresholdsText();
    for (const part of ['RTT p50 <100 / <250 / <400 ms', 'jitter <5 / <10 / <30 ms', 'loss <1 / <3 / <8 %'])
      expect(text).toContain(part);
    expect(text).toContain('ITU-T G.114');
  });
});

function attempt(overrides: Partial<QualitySource> & { metrics: QualitySource['metrics'] }): QualitySource {
  return { probe: 'peer-connection', targetId: 'local-machine', outcome: 'success', ...overrides };
}

describe('pathQualityOf', () => {
  const figures = { rttMsP50: 0.8, rttMsP95: 2.1, jitterMs: 0.3, lossPct: 0, throughputKbps: 52_000 };

  it('makes one row per connected path with its figures and grade', () => {
    const rows = pathQualityOf([
      attempt({ targetId: 'turn-a', metrics: { path: 'relay', ...figures, lossPct: 4 } }),
      attempt({ metrics: { path: 'host', ...figures } }),
    ]);
    expect(rows).toEqual([
      {
        targetId: 'local-machine',
        probe: 'peer-connection',
        path: 'host',
        ...figures,
        grade: 'good',
        summary: 'good: every figure is within the good bounds',
      },
      {
        targetId: 'turn-a',
        probe: 'peer-connection',
        path: 'relay',
        ...figures,
        lossPct: 4,
        grade: 'poor',
        summary: 'poor: loss 4 % is poor (≥ 3 %)',
      },
    ]);
    // what the report carries validates against its schema
    expect(ReportSchema.shape.quality.safeParse(rows).success).toBe(true);
  });

  it('leaves out attempts that did not connect, other probes, and attempts with no path', () => {
    expect(
      pathQualityOf([
        attempt({ outcome: 'timeout', metrics: { path: 'host', ...figures } }),
        attempt({ outcome: 'skipped', metrics: { path: 'relay' } }),
        attempt({ probe: 'stun-binding', metrics: { path: 'host', rttMs: 3 } }),
        attempt({ probe: 'signaled-session', metrics: { echoRttP50Ms: 3 } }),
        attempt({ metrics: { ...figures } }),
      ]),
    ).toEqual([]);
  });

  it('keeps the newest success of a path (a retry that connected)', () => {
    const rows = pathQualityOf([
      attempt({ metrics: { path: 'host', ...figures, rttMsP50: 300 } }),
      attempt({ metrics: { path: 'host', ...figures, rttMsP50: 5 } }),
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.rttMsP50).toBe(5);
  });

  it('takes partner sessions too, and an attempt stored before the figures existed', () => {
    const rows = pathQualityOf([
      attempt({
        probe: 'partner-session',
        targetId: 'gun-relay',
        metrics: { path: 'srflx', rttMsP50: 180, rttMsP95: 260, jitterMs: 12, lossPct: 0.5 },
      }),
      attempt({ metrics: { path: 'host', echoRttP50Ms: 1.5, throughputKbps: 900 } }),
    ]);
    expect(rows.map((r) => [r.probe, r.path, r.rttMsP50, r.rttMsP95, r.grade])).toEqual([
      ['peer-connection', 'host', 1.5, null, 'good'],
      ['partner-session', 'srflx', 180, 260, 'poor'],
    ]);
    expect(rows[1]?.summary).toBe('poor: jitter 12 ms is poor (≥ 10 ms)');
  });

  it('ignores figures that are not finite numbers', () => {
    const [row] = pathQualityOf([
      attempt({ metrics: { path: 'host', rttMsP50: 'fast', jitterMs: null, lossPct: true } }),
    ]);
    expect(row).toMatchObject({ rttMsP50: null, jitterMs: null, lossPct: null, grade: null });
  });
});
