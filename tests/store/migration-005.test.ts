import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CALL_SCHEMA, type Call } from '../../src/contract';
import { closeDatabase, openDatabase } from '../../src/core/store/database';
import { CallStore } from '../../src/core/store/calls';
import { HistoryStore } from '../../src/core/store/history';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/core/store/migrations';
import { testTempDir } from '../helpers/temp';

const call = (id: string, importedAt: string): Call => ({
  schema: CALL_SCHEMA,
  id,
  format: 'webrtc-internals',
  source: `${id}.json.gz`,
  importedAt,
  startedAt: null,
  userAgent: null,
  outcome: 'never-connected',
  peerConnections: [],
  observations: [],
  reproducedRunId: null,
});

describe('migration 005 (imported calls)', () => {
  it('adds calls to a version 4 history and keeps every run, attempt and event', () => {
    const file = join(testTempDir('rtc-triage-db5-'), 'history.db');
    const v4 = new BetterSqlite3(file);
    v4.transaction(() => {
      for (const migration of MIGRATIONS.slice(0, 4)) migration(v4);
      v4.pragma('user_version = 4');
    })();
    v4.prepare("INSERT INTO runs (id, started_at, source) VALUES ('r1', 1, 'cli')").run();
    v4.close();

    const store = HistoryStore.open(file);
    const db = store.database;
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare('SELECT id FROM runs').pluck().all()).toEqual(['r1']);
    const calls = new CallStore(db);
    calls.insert(call('c1', '2026-03-01T10:00:00.000Z'));
    calls.insert(call('c2', '2026-03-02T10:00:00.000Z'));
    calls.setReproduction('c1', 'r1');
    expect(calls.list().map((c) => [c.id, c.reproducedRunId])).toEqual([
      ['c2', null],
      ['c1', 'r1'],
    ]);
    expect([...calls.importedSince(Date.parse('2026-03-02T00:00:00Z'))].map((c) => c.id)).toEqual(['c2']);
    expect(() =>
      db
        .prepare(
          "INSERT INTO calls (id, imported_at, format, source, outcome, call_json) VALUES ('x', 1, 'har', 's', 'o', '{}')",
        )
        .run(),
    ).toThrow(/CHECK constraint failed/);

    // pruning the run keeps the call, without its reproduction
    store.prune(new Date(10));
    expect(calls.get('c1')?.reproducedRunId).toBeNull();

    // a row a newer version wrote differently is skipped, never fatal
    db.prepare('UPDATE calls SET call_json = \'{"schema":"rtc-triage/call@9"}\' WHERE id = \'c2\'').run();
    expect(calls.list().map((c) => c.id)).toEqual(['c1']);
    expect(calls.get('c2')).toBeNull();

    const plan = (sql: string) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>)
        .map((r) => r.detail)
        .join(' | ');
    expect(plan('SELECT call_json FROM calls WHERE imported_at >= 0 ORDER BY imported_at')).toMatch(
      /USING INDEX calls_by_time/,
    );
    expect(plan("SELECT id FROM calls WHERE reproduced_run = 'r1'")).toMatch(
      /USING (COVERING )?INDEX calls_by_run/,
    );
    expect(db.pragma('foreign_key_check')).toEqual([]);
    store.close();
  });

  it('a new database has the calls table, STRICT', () => {
    const db = openDatabase(join(testTempDir('rtc-triage-db5-'), 'history.db'));
    const sql = db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'calls'").pluck().get() as string;
    expect(sql).toMatch(/STRICT$/);
    closeDatabase(db);
  });
});
