import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { TriageError, errorMessage } from '../errors';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations';

export interface OpenOptions {
  /** Path to a better-sqlite3 native binding built for another ABI (the Electron copy). */
  nativeBinding?: string;
  readonly?: boolean;
}

/**
 * The one place that opens the history database: WAL, synchronous=FULL (an attempt reported as
 * stored survives a power cut), foreign keys on; migrations in one transaction; a database written by
 * a newer version is refused and left untouched.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  let db: Database;
  try {
    db = new BetterSqlite3(file, {
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
      ...(options.readonly ? { readonly: true, fileMustExist: true } : {}),
    });
  } catch (error) {
    throw new TriageError(
      'DB_UNREADABLE',
      `cannot open the history database ${file}: ${errorMessage(error)}`,
      { cause: error },
    );
  }
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new TriageError(
        'DB_TOO_NEW',
        `the history database ${file} was written by a newer RTC Triage (schema ${version}, this version knows ${SCHEMA_VERSION}); it was not modified. Update RTC Triage or use --db with another file.`,
      );
    }
    db.pragma('busy_timeout = 5000');
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
    }
    db.pragma('foreign_keys = ON');
    // 32 MiB of page cache: the attempt indexes of a long history stay in memory while writing.
    db.pragma('cache_size = -32768');
    if (!options.readonly) migrate(db, version);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof TriageError) throw error;
    throw new TriageError(
      'DB_UNREADABLE',
      `cannot use the history database ${file}: ${errorMessage(error)}`,
      { cause: error },
    );
  }
}

function migrate(db: Database, from: number): void {
  if (from === SCHEMA_VERSION) return;
  db.transaction(() => {
    for (let version = from; version < SCHEMA_VERSION; version++) MIGRATIONS[version]?.(db);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

export function closeDatabase(db: Database): void {
  if (!db.open) return;
  try {
    if (!db.readonly) db.pragma('optimize');
  } finally {
    db.close();
  }
}
