import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../src/core/store/database';
import { SCHEMA_VERSION } from '../../src/core/store/migrations';
import { migration001Initial } from '../../src/core/store/migrations/001-initial';
import { migration002LayersAndBuckets } from '../../src/core/store/migrations/002-layers-and-buckets';
import { migration003Settings } from '../../src/core/store/migrations/003-settings';
import { testTempDir } from '../helpers/temp';

const insertAttempt = (db: BetterSqlite3.Database, id: string, outcome: string) =>
  db
    .prepare(
      `INSERT INTO attempts (id, run_id, target_id, correlation_id, probe, attempt, outcome, stage, started_at,
         duration_ms, metrics_json, layer) VALUES (?, 'r1', 't1', 'c1', 'stun-binding', 1, ?, 'binding', 1, 1, '{}', 'L2')`,
    )
    .run(id, outcome);

describe('migration 004 (skipped attempts)', () => {
  it('lets a version 3 database store skipped attempts and keeps every attempt and event', () => {
    const file = join(testTempDir('rtc-triage-db4-'), 'history.db');
    const v3 = new BetterSqlite3(file);
    v3.pragma('foreign_keys = ON');
    v3.transaction(() => {
      migration001Initial(v3);
      migration002LayersAndBuckets(v3);
      migration003Settings(v3);
      v3.pragma('user_version = 3');
    })();
    v3.prepare("INSERT INTO runs (id, started_at, source) VALUES ('r1', 1, 'cli')").run();
    v3.prepare(
      "INSERT INTO targets (id, kind, url, layer, first_seen, last_seen) VALUES ('t1', 'stun', 'stun:127.0.0.1', 'L2', 1, 1)",
    ).run();
    insertAttempt(v3, 'a1', 'timeout');
    v3.prepare("INSERT INTO events (attempt_id, name, at) VALUES ('a1', 'attempt.started', 1)").run();
    // the old constraint refuses the new outcome: the migration is what makes it storable
    expect(() => insertAttempt(v3, 'a0', 'skipped')).toThrow(/CHECK constraint failed/);
    v3.close();

    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    insertAttempt(db, 'a2', 'skipped');
    expect(() => insertAttempt(db, 'a3', 'bogus')).toThrow(/CHECK constraint failed/);
    expect(db.prepare('SELECT id, outcome FROM attempts ORDER BY id').all()).toEqual([
      { id: 'a1', outcome: 'timeout' },
      { id: 'a2', outcome: 'skipped' },
    ]);
    expect(db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(1);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    closeDatabase(db);
  });

  it('a new database takes skipped attempts from the start', () => {
    const db = openDatabase(join(testTempDir('rtc-triage-db4-'), 'history.db'));
    const sql = db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'attempts'").pluck().get() as string;
    expect(sql).toContain("'skipped'");
    closeDatabase(db);
  });
});
