import type { Database } from 'better-sqlite3';

/**
 * Settings saved from the UI (timeouts, retry, retention, schedule…) and the target list edited
 * there, one JSON document per key, kept with the history they govern. Read and validated by
 * `store/settings.ts`; a document that no longer validates is ignored, never fatal.
 */
export function migration003Settings(db: Database): void {
  db.exec(`
    CREATE TABLE settings (
      key        TEXT PRIMARY KEY,
      value_json TEXT NOT NULL,
      updated_at INTEGER NOT NULL
    ) STRICT;
  `);
}
