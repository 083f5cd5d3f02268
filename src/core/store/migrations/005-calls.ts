import type { Database } from 'better-sqlite3';

/**
 * Calls imported from a user's webrtc-internals or rtcstats dump (issue 22, docs/calls.md), one row
 * per import with the call as shown (`call_json`, redacted like a bundle: no credential is ever
 * stored) and the newest reproduction's run. A run pruned by retention leaves the call, without its
 * reproduction. Calls are listed newest first.
 */
export function migration005Calls(db: Database): void {
  db.exec(`
    CREATE TABLE calls (
      id              TEXT PRIMARY KEY,
      imported_at     INTEGER NOT NULL,
      format          TEXT NOT NULL CHECK (format IN ('webrtc-internals', 'rtcstats')),
      source          TEXT NOT NULL,
      outcome         TEXT NOT NULL,
      call_json       TEXT NOT NULL,
      reproduced_run  TEXT REFERENCES runs (id) ON DELETE SET NULL
    ) STRICT;
    CREATE INDEX calls_by_time ON calls (imported_at);
    CREATE INDEX calls_by_run ON calls (reproduced_run);
  `);
}
