import { describe, expect, it } from 'vitest';
import { groupEvidence } from './evidence-groups';

describe('groupEvidence', () => {
  const turn = 'turn:turn.example.test:3478';
  const evidence = [
    {
      targetId: 't1',
      attemptId: 'a1',
      summary: `L2: turn-allocation over udp to ${turn} failed: timeout (no answer)`,
    },
    {
      targetId: 't1',
      attemptId: 'a2',
      summary: `L2: turn-allocation over tcp to ${turn} failed: timeout (no answer)`,
    },
    { targetId: 't1', attemptId: 'a3', summary: `L2: turn-allocation over tls to ${turn} passed (12 ms)` },
    {
      targetId: 't2',
      attemptId: 'a4',
      summary: 'L2: stun-binding over udp to stun:198.51.100.7:3478 passed (3 ms)',
    },
    { summary: 'history: all failing since 2026-12-08T00:00:00.000Z (newest run decides)' },
    { summary: 'history: udp failing since 2026-12-08T00:10:00.000Z (newest run decides)' },
  ];

  it('gives one group per server or cause, with a count and a tally, in first-seen order', () => {
    const groups = groupEvidence(evidence, (id) => (id === 't1' ? turn : undefined));
    expect(groups.map((g) => [g.label, g.count, g.tally])).toEqual([
      [turn, 3, '2 failed (timeout), 1 passed'],
      ['t2', 1, '1 passed'],
      ['history', 2, ''],
    ]);
    expect(groups.length).toBeLessThan(evidence.length);
    expect(groups.flatMap((g) => g.sentences)).toEqual(evidence.map((e) => e.summary));
  });

  it('keeps every sentence and makes no group of nothing', () => {
    expect(groupEvidence([])).toEqual([]);
    expect(groupEvidence([{ summary: 'first failure at 2026-12-08T00:00:00.000Z' }])[0]).toMatchObject({
      label: 'other',
      count: 1,
    });
  });
});
