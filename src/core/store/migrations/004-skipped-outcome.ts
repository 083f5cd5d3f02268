import type { Database } from 'better-sqlite3';

const BEFORE = "CHECK (outcome IN ('success', 'timeout', 'error', 'aborted'))";
const AFTER = "CHECK (outcome IN ('success', 'timeout', 'error', 'aborted', 'skipped'))";

/**
 * Attempts may be `skipped` (not made because their prerequisite failed). The CHECK constraint of
 * `attempts.outcome` only widens, so every stored row still satisfies it: SQLite's documented way
 * for such a change (https://www.sqlite.org/lang_altertable.html#otheralter) edits the table's
 * definition in place instead of copying the table, which would also cascade-delete its events.
 * Runs inside the migration transaction; integrity is checked before it commits.
 */
export function migration004SkippedOutcome(db: Database): void {
  const version = db.pragma('schema_version', { simple: true }) as number;
  db.unsafeMode(true);
  try {
    db.pragma('writable_schema = ON');
    const changed = db
      .prepare(`UPDATE sqlite_schema SET sql = replace(sql, ?, ?) WHERE type = 'table' AND name = 'attempts'`)
      .run(BEFORE, AFTER).changes;
    db.pragma(`schema_version = ${version + 1}`);
    db.pragma('writable_schema = OFF');
    if (changed !== 1) throw new Error('the attempts table does not have the expected outcome constraint');
  } finally {
    db.unsafeMode(false);
  }
  const integrity = db.pragma('integrity_check', { simple: true });
  if (integrity !== 'ok')
    throw new Error(`integrity check after widening attempts.outcome: ${String(integrity)}`);
}
