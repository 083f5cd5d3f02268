import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../src/core/store/database';
import { HistoryStore } from '../../src/core/store/history';
import { SCHEMA_VERSION } from '../../src/core/store/migrations';
import { migration001Initial } from '../../src/core/store/migrations/001-initial';
import { BUCKET_MS } from '../../src/core/store/queries';
import { attempt } from '../analysis/history-fixture';

const tmp = () => join(mkdtempSync(join(tmpdir(), 'rtc-triage-db2-')), 'history.db');
const T0 = Date.parse('2026-01-01T00:00:00Z');

/** A database as version 1 left it: a run with a lab target, attempts of every layer. */
function version1(file: string): void {
  const db = new BetterSqlite3(file);
  db.transaction(() => {
    migration001Initial(db);
    db.pragma('user_version = 1');
  })();
  const report = {
    targets: [
      { id: 'lab', layer: 'L1' },
      { id: 's1', layer: 'L2' },
    ],
  };
  db.prepare('INSERT INTO runs (id, started_at, source, report_json) VALUES (?, ?, ?, ?)').run(
    'r1',
    T0,
    'cli',
    JSON.stringify(report),
  );
  const target = db.prepare(
    'INSERT INTO targets (id, kind, url, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)',
  );
  target.run('lab', 'stun', 'stun:127.0.0.1:1', T0, T0);
  target.run('s1', 'stun', 'stun:s1.test', T0, T0);
  target.run('g1', 'gun', 'https://g1.test/gun', T0, T0);
  target.run('local-machine', 'local', 'local:machine', T0, T0);
  const insert = db.prepare(
    `INSERT INTO attempts (id, run_id, target_id, correlation_id, probe, attempt, outcome, stage, error_class,
       error_message, started_at, duration_ms, metrics_json) VALUES (?, 'r1', ?, ?, ?, 1, ?, 's', ?, NULL, ?, 1, ?)`,
  );
  insert.run('a1', 'lab', 'c1', 'stun-binding', 'success', null, T0, '{}');
  insert.run('a2', 's1', 'c2', 'stun-binding', 'timeout', 'timeout', T0 + 1000, '{}');
  insert.run('a3', 's1', 'c3', 'stun-binding', 'error', 'dns', T0 + BUCKET_MS, '{}');
  insert.run('a4', 'g1', 'c4', 'gun-signaling', 'success', null, T0 + 2000, '{}');
  insert.run('a5', 'local-machine', 'c5', 'peer-connection', 'success', null, T0 + 3000, '{"path":"host"}');
  insert.run('a6', 's1', 'c6', 'peer-connection', 'timeout', 'timeout', T0 + 4000, '{"path":"srflx"}');
  insert.run('a7', 's1', 'c7', 'stun-binding', 'aborted', 'aborted', T0 + 5000, '{}');
  db.close();
}

const plan = (db: BetterSqlite3.Database, sql: string, ...args: unknown[]) =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as Array<{ detail: string }>)
    .map((r) => r.detail)
    .join(' | ');

describe('migration 002 (layers, attempt buckets, covering target index)', () => {
  it('backfills layers and buckets from the data version 1 left', () => {
    const file = tmp();
    version1(file);
    const db = openDatabase(file);
    // Migrated through 002 and every later one.
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare('SELECT id, layer FROM targets ORDER BY id').all()).toEqual([
      { id: 'g1', layer: 'L3' },
      { id: 'lab', layer: 'L1' },
      { id: 'local-machine', layer: 'L0' },
      { id: 's1', layer: 'L2' },
    ]);
    expect(db.prepare('SELECT id, layer FROM attempts ORDER BY id').all()).toEqual([
      { id: 'a1', layer: 'L1' },
      { id: 'a2', layer: 'L2' },
      { id: 'a3', layer: 'L2' },
      { id: 'a4', layer: 'L3' },
      { id: 'a5', layer: 'L0' },
      { id: 'a6', layer: 'L4' },
      { id: 'a7', layer: 'L2' },
    ]);
    // Aborted attempts and hairpin-only sessions stay out of the failure counts.
    expect(db.prepare('SELECT * FROM attempt_buckets ORDER BY bucket, target_id').all()).toEqual([
      {
        bucket: T0 / BUCKET_MS,
        target_id: 'g1',
        layer: 'L3',
        attempts: 1,
        failures: 0,
        timeouts: 0,
        no_route: 0,
      },
      {
        bucket: T0 / BUCKET_MS,
        target_id: 'lab',
        layer: 'L1',
        attempts: 1,
        failures: 0,
        timeouts: 0,
        no_route: 0,
      },
      {
        bucket: T0 / BUCKET_MS,
        target_id: 'local-machine',
        layer: 'L0',
        attempts: 1,
        failures: 0,
        timeouts: 0,
        no_route: 0,
      },
      {
        bucket: T0 / BUCKET_MS,
        target_id: 's1',
        layer: 'L2',
        attempts: 1,
        failures: 1,
        timeouts: 1,
        no_route: 0,
      },
      {
        bucket: T0 / BUCKET_MS + 1,
        target_id: 's1',
        layer: 'L2',
        attempts: 1,
        failures: 1,
        timeouts: 0,
        no_route: 1,
      },
    ]);
    closeDatabase(db);
  });

  it('keeps the buckets in step with every insert and delete (same transaction)', () => {
    const store = HistoryStore.open(tmp(), { retentionDays: 0 });
    const targets = [{ id: 's1', kind: 'stun' as const, url: 'stun:s1.test', layer: 'L2' as const }];
    store.beginRun('r1', new Date(T0), 'test', targets);
    store.recordAttempt('r1', attempt('s1', 'stun-binding', T0, false), []);
    store.recordAttempt('r1', attempt('s1', 'stun-binding', T0 + 10, true), []);
    store.beginRun('r2', new Date(T0 + BUCKET_MS), 'test', targets);
    store.recordAttempt('r2', attempt('s1', 'stun-binding', T0 + BUCKET_MS, true), []);
    // A probe reporting a target no run declared (the L0 machine test) is stored, as layer L0.
    store.recordAttempt(
      'r2',
      attempt('local-machine', 'peer-connection', T0 + BUCKET_MS, true, { path: 'host' }),
      [],
    );
    const buckets = () =>
      store.database
        .prepare(
          'SELECT bucket, target_id, layer, attempts, failures FROM attempt_buckets ORDER BY bucket, target_id',
        )
        .all();
    expect(buckets()).toEqual([
      { bucket: T0 / BUCKET_MS, target_id: 's1', layer: 'L2', attempts: 2, failures: 1 },
      { bucket: T0 / BUCKET_MS + 1, target_id: 'local-machine', layer: 'L0', attempts: 1, failures: 0 },
      { bucket: T0 / BUCKET_MS + 1, target_id: 's1', layer: 'L2', attempts: 1, failures: 0 },
    ]);
    expect(store.prune(new Date(T0 + 1))).toBe(1);
    expect(buckets()).toEqual([
      { bucket: T0 / BUCKET_MS + 1, target_id: 'local-machine', layer: 'L0', attempts: 1, failures: 0 },
      { bucket: T0 / BUCKET_MS + 1, target_id: 's1', layer: 'L2', attempts: 1, failures: 0 },
    ]);
    store.close();
  });

  it('serves the window queries from indexes (EXPLAIN QUERY PLAN)', () => {
    const store = HistoryStore.open(tmp());
    const db = store.database;
    expect(plan(db, 'SELECT * FROM attempt_buckets WHERE bucket >= ? AND bucket < ?', 0, 1)).toMatch(
      /SEARCH attempt_buckets USING PRIMARY KEY \(bucket>\? AND bucket<\?\)/,
    );
    expect(
      plan(
        db,
        "SELECT started_at FROM attempts WHERE target_id = ? AND started_at >= ? AND started_at < ? AND outcome = 'success' ORDER BY started_at DESC LIMIT 1",
        's',
        0,
        1,
      ),
    ).toMatch(
      /SEARCH attempts USING COVERING INDEX attempts_by_target_time \(target_id=\? AND started_at>\? AND started_at<\?\)/,
    );
    expect(
      plan(
        db,
        'SELECT * FROM attempts WHERE started_at >= ? AND started_at < ? ORDER BY started_at DESC',
        0,
        1,
      ),
    ).toMatch(/USING INDEX attempts_by_time/);
    expect(plan(db, 'SELECT id FROM runs WHERE started_at < ? ORDER BY started_at LIMIT ?', 0, 1)).toMatch(
      /USING INDEX runs_by_time/,
    );
    store.close();
  });

  it('prunes by the retention setting in bounded batches as runs begin', () => {
    const store = HistoryStore.open(tmp(), { retentionDays: 90 });
    const targets = [{ id: 's1', kind: 'stun' as const, url: 'stun:s1.test', layer: 'L2' as const }];
    const day = 86_400_000;
    for (let i = 0; i < 1000; i++) {
      store.beginRun(`old-${i}`, new Date(T0 - 200 * day + i), 'test', targets);
      store.recordAttempt(`old-${i}`, attempt('s1', 'stun-binding', T0 - 200 * day + i, true), []);
    }
    const count = () => store.database.prepare('SELECT count(*) AS n FROM runs').pluck().get();
    expect(count()).toBe(1000);
    store.beginRun('new-1', new Date(T0), 'test', targets);
    // Four batches of 200 per beginRun: the rest waits for the next run, so no run waits long.
    expect(count()).toBe(1001 - 800);
    store.beginRun('new-2', new Date(T0 + 1), 'test', targets);
    expect(count()).toBe(2);
    expect(store.database.prepare('SELECT count(*) FROM attempts').pluck().get()).toBe(0);
    expect(store.database.prepare('SELECT count(*) FROM attempt_buckets').pluck().get()).toBe(0);
    store.close();
  });
});
