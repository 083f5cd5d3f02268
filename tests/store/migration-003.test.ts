import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SettingsSchema } from '../../src/contract';
import { closeDatabase, openDatabase } from '../../src/core/store/database';
import { SCHEMA_VERSION } from '../../src/core/store/migrations';
import { migration001Initial } from '../../src/core/store/migrations/001-initial';
import { migration002LayersAndBuckets } from '../../src/core/store/migrations/002-layers-and-buckets';
import { SettingsStore } from '../../src/core/store/settings';
import { UiQueries } from '../../src/core/store/ui-queries';

const tmp = () => join(mkdtempSync(join(tmpdir(), 'rtc-triage-db3-')), 'history.db');

const plan = (db: BetterSqlite3.Database, sql: string, ...args: unknown[]) =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as Array<{ detail: string }>)
    .map((r) => r.detail)
    .join(' | ');

describe('migration 003 (settings)', () => {
  it('adds the settings table to a version 2 database and keeps its history', () => {
    const file = tmp();
    const v2 = new BetterSqlite3(file);
    v2.transaction(() => {
      migration001Initial(v2);
      migration002LayersAndBuckets(v2);
      v2.pragma('user_version = 2');
    })();
    v2.prepare("INSERT INTO runs (id, started_at, source) VALUES ('r1', 1, 'cli')").run();
    v2.close();

    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare('SELECT id FROM runs').pluck().all()).toEqual(['r1']);
    const sql = db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'settings'").pluck().get() as string;
    expect(sql).toMatch(/STRICT$/);

    const settings = new SettingsStore(db);
    expect(settings.settings()).toBeNull();
    expect(settings.targets()).toBeNull();
    const value = SettingsSchema.parse({ retentionDays: 7 });
    settings.saveSettings(value);
    settings.saveTargets([{ kind: 'stun', url: 'stun:127.0.0.1:3478' }]);
    expect(settings.settings()).toEqual(value);
    expect(settings.targets()).toEqual([{ kind: 'stun', url: 'stun:127.0.0.1:3478' }]);
    settings.clearTargets();
    expect(settings.targets()).toBeNull();
    // One key, one row: the primary key serves every read and write.
    expect(plan(db, 'SELECT value_json FROM settings WHERE key = ?', 'settings')).toMatch(
      /SEARCH settings USING INDEX sqlite_autoindex_settings_1 \(key=\?\)/,
    );
    closeDatabase(db);
  });

  it('serves the UI queries from indexes, not table scans', () => {
    const db = openDatabase(tmp());
    new UiQueries(db); // prepares every statement: a typo in SQL fails here
    expect(
      plan(
        db,
        `SELECT count(*) FROM attempts INDEXED BY attempts_by_target_time
         WHERE target_id = ? AND started_at >= ? AND started_at < ? AND outcome <> 'aborted'`,
        't',
        0,
        1,
      ),
    ).toMatch(
      /SEARCH attempts USING COVERING INDEX attempts_by_target_time \(target_id=\? AND started_at>\? AND started_at<\?\)/,
    );
    expect(
      plan(
        db,
        `SELECT target_id FROM attempts INDEXED BY attempts_by_time
         WHERE started_at >= ? AND started_at < ? AND outcome = 'success'`,
        0,
        1,
      ),
    ).toMatch(/SEARCH attempts USING INDEX attempts_by_time \(started_at>\? AND started_at<\?\)/);
    // The log, newest first, filtered by target: the target index, then a sort of that slice only.
    const log = plan(
      db,
      `SELECT a.id, a.metrics_json, t.url, t.kind FROM attempts a JOIN targets t ON t.id = a.target_id
       WHERE a.started_at >= ? AND a.target_id = ? ORDER BY a.started_at DESC, a.id DESC LIMIT 10`,
      0,
      't',
    );
    expect(log).toMatch(/SEARCH a USING INDEX attempts_by_target_time \(target_id=\? AND started_at>\?\)/);
    expect(log).toMatch(/SEARCH t USING INDEX sqlite_autoindex_targets_1 \(id=\?\)/);
    const unfiltered = plan(
      db,
      `SELECT a.id, a.metrics_json, t.url, t.kind FROM attempts a JOIN targets t ON t.id = a.target_id
       WHERE a.started_at >= ? ORDER BY a.started_at DESC, a.id DESC LIMIT 10`,
      0,
    );
    expect(unfiltered).toMatch(/SEARCH a USING INDEX attempts_by_time \(started_at>\?\)/);
    expect(plan(db, 'SELECT name FROM events WHERE attempt_id = ? ORDER BY at, id', 'a')).toMatch(
      /SEARCH events USING INDEX events_by_attempt \(attempt_id=\?\)/,
    );
    closeDatabase(db);
  });
});
