import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase, closeDatabase } from '../../src/core/store/database';
import { HistoryStore } from '../../src/core/store/history';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/core/store/migrations';
import { TriageError } from '../../src/core/errors';

const tmp = () => join(mkdtempSync(join(tmpdir(), 'rtc-triage-db-')), 'history.db');

describe('migration 001 (runs, targets, attempts, events)', () => {
  it('creates STRICT tables, sets user_version, WAL and synchronous=FULL', () => {
    const db = openDatabase(tmp());
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = db
      .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table' ORDER BY name")
      .all() as Array<{ name: string; sql: string }>;
    expect(tables.map((t) => t.name)).toEqual([
      'attempt_buckets',
      'attempts',
      'calls',
      'events',
      'runs',
      'settings',
      'targets',
    ]);
    for (const t of tables) expect(t.sql).toMatch(/STRICT(, WITHOUT ROWID)?$/);
    closeDatabase(db);
  });

  it('stores attempts and events, and the time-window queries use their indexes', () => {
    const file = tmp();
    const store = HistoryStore.open(file);
    const target = { kind: 'stun' as const, url: 'stun:127.0.0.1:1', id: 't1', layer: 'L2' as const };
    store.beginRun('run-1', new Date('2026-01-01T00:00:00Z'), 'test', [target]);
    store.recordAttempt(
      'run-1',
      {
        id: 'a1',
        correlationId: 'c1',
        probe: 'stun-binding',
        targetId: 't1',
        attempt: 1,
        outcome: 'timeout',
        stage: 'binding',
        errorClass: 'timeout',
        errorMessage: 'no answer',
        startedAt: '2026-01-01T00:00:01.000Z',
        durationMs: 3000,
        metrics: { transmissions: 3 },
      },
      [
        {
          name: 'stun.binding.sent',
          at: '2026-01-01T00:00:01.000Z',
          runId: 'run-1',
          data: { transmission: 1 },
        },
      ],
    );
    const back = store.attemptsSince(new Date('2026-01-01T00:00:00Z'));
    expect(back).toHaveLength(1);
    expect(back[0]).toMatchObject({
      id: 'a1',
      outcome: 'timeout',
      errorClass: 'timeout',
      metrics: { transmissions: 3 },
    });
    const db = store.database;
    expect(db.prepare('SELECT count(*) n FROM events WHERE attempt_id = ?').get('a1')).toEqual({ n: 1 });
    const plan = (sql: string) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(0) as Array<{ detail: string }>)
        .map((r) => r.detail)
        .join(' | ');
    expect(plan('SELECT * FROM attempts WHERE started_at >= ?')).toMatch(/USING INDEX attempts_by_time/);
    expect(plan("SELECT * FROM attempts WHERE target_id = 't1' AND started_at >= ?")).toMatch(
      /USING INDEX attempts_by_target_time/,
    );
    expect(plan('SELECT * FROM runs WHERE started_at >= ?')).toMatch(/USING INDEX runs_by_time/);
    expect(plan('SELECT * FROM events WHERE attempt_id = ?')).toMatch(/USING INDEX events_by_attempt/);
    store.close();
  });

  it('refuses a database from a newer version and leaves it untouched', () => {
    const file = tmp();
    const raw = new BetterSqlite3(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.exec('CREATE TABLE future (x)');
    raw.close();
    const before = readFileSync(file);
    copyFileSync(file, `${file}.orig`);
    expect(() => openDatabase(file)).toThrow(TriageError);
    try {
      openDatabase(file);
    } catch (error) {
      expect((error as TriageError).code).toBe('DB_TOO_NEW');
      expect((error as Error).message).toMatch(/newer RTC Triage/);
    }
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('a read-only open of a history from an older version upgrades it once, then reads it', () => {
    const file = tmp();
    const raw = new BetterSqlite3(file);
    raw.pragma('journal_mode = WAL');
    raw.transaction(() => {
      for (const migration of MIGRATIONS.slice(0, SCHEMA_VERSION - 1)) migration(raw);
      raw.pragma(`user_version = ${SCHEMA_VERSION - 1}`);
    })();
    raw.close();
    const db = openDatabase(file, { readonly: true });
    try {
      expect(db.readonly).toBe(true);
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    } finally {
      closeDatabase(db);
    }
  });

  it('refuses a file that is not a database with a typed error', () => {
    const file = tmp();
    writeFileSync(file, 'this is not sqlite'.repeat(100));
    expect(() => openDatabase(file)).toThrow(/cannot use the history database/);
  });
});
