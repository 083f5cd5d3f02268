import { describe, expect, it } from 'vitest';
import { timeOrderedId } from '../../src/core/store/ids';
import { attempt, SEED_TARGETS, tempStore } from '../analysis/history-fixture';

describe('HistoryStore.ingest (bulk, batched transactions)', () => {
  it('stores every row, multi-row inserts and the remainder alike, with their bucket counts', () => {
    const store = tempStore();
    const t0 = Date.parse('2026-02-01T00:00:00Z');
    store.beginRun('bulk', new Date(t0), 'test', SEED_TARGETS);
    const rows = Array.from({ length: 1001 }, (_, i) => {
      const a = attempt(SEED_TARGETS[i % 5]?.id ?? 'stun-a', 'stun-binding', t0 + i * 1000, i % 4 !== 0);
      return { runId: 'bulk', attempt: { ...a, id: timeOrderedId(t0 + i) } };
    });
    rows.push({
      runId: 'bulk',
      attempt: { ...attempt('stun-a', 'stun-binding', t0, false), outcome: 'aborted' },
    });
    expect(store.ingest(rows, 100)).toBe(1002);
    const db = store.database;
    expect(db.prepare('SELECT count(*) FROM attempts').pluck().get()).toBe(1002);
    expect(
      db.prepare('SELECT sum(attempts), sum(failures), sum(timeouts) FROM attempt_buckets').raw().get(),
    ).toEqual([1001, 251, 251]);
    const back = store.attemptsSince(new Date(t0)).find((a) => a.id === rows[500]?.attempt.id);
    expect(back).toMatchObject({
      targetId: rows[500]?.attempt.targetId,
      outcome: rows[500]?.attempt.outcome,
    });
    store.close();
  });
});
