import type { Database } from 'better-sqlite3';

/** Runs, targets, attempts and their events. Times are Unix epoch milliseconds (UTC). */
export function migration001Initial(db: Database): void {
  db.exec(`
    CREATE TABLE runs (
      id           TEXT PRIMARY KEY,
      started_at   INTEGER NOT NULL,
      finished_at  INTEGER,
      source       TEXT NOT NULL,
      verdict_kind TEXT,
      report_json  TEXT
    ) STRICT;
    CREATE INDEX runs_by_time ON runs (started_at);

    CREATE TABLE targets (
      id         TEXT PRIMARY KEY,
      kind       TEXT NOT NULL,
      url        TEXT NOT NULL,
      first_seen INTEGER NOT NULL,
      last_seen  INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE attempts (
      id             TEXT PRIMARY KEY,
      run_id         TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      target_id      TEXT NOT NULL REFERENCES targets (id),
      correlation_id TEXT NOT NULL,
      probe          TEXT NOT NULL,
      attempt        INTEGER NOT NULL,
      outcome        TEXT NOT NULL CHECK (outcome IN ('success', 'timeout', 'error', 'aborted')),
      stage          TEXT NOT NULL,
      error_class    TEXT,
      error_message  TEXT,
      started_at     INTEGER NOT NULL,
      duration_ms    REAL NOT NULL,
      metrics_json   TEXT NOT NULL
    ) STRICT;
    CREATE INDEX attempts_by_time ON attempts (started_at);
    CREATE INDEX attempts_by_target_time ON attempts (target_id, started_at);
    CREATE INDEX attempts_by_run ON attempts (run_id);

    CREATE TABLE events (
      id             INTEGER PRIMARY KEY,
      attempt_id     TEXT NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
      name           TEXT NOT NULL,
      at             INTEGER NOT NULL,
      data_json      TEXT
    ) STRICT;
    CREATE INDEX events_by_attempt ON events (attempt_id);
  `);
}
