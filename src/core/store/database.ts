import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { TriageError, errorMessage } from '../errors';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations';

export interface OpenOptions {
  /** Path to a better-sqlite3 native binding built for another ABI (the Electron copy). */
  nativeBinding?: string;
  /** Read without ever writing: the file must exist, and a read-only file or folder is fine. */
  readonly?: boolean;
}

/** The history holds server addresses and saved settings: only its owner reads it. */
const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;

/** Private copies made to read a WAL database this process may not write (see `openReadOnly`). */
const readCopies = new WeakMap<Database, string>();

/**
 * The one place that opens the history database: WAL, synchronous=FULL (an attempt reported as
 * stored survives a power cut), foreign keys on; migrations in one transaction; a database written by
 * a newer version is refused and left untouched; a damaged one is refused with the reason
 * (`PRAGMA quick_check`) and left as it is. A new database and its folder are private (0600/0700), and
 * an existing one this user owns is made private on open.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Database {
  const memory = file === ':memory:';
  if (!memory && !options.readonly) makePrivate(file);
  let db: Database;
  try {
    db = options.readonly && !memory ? openReadOnly(file, options) : open(file, options);
  } catch (error) {
    if (error instanceof TriageError) throw error;
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
    if (options.readonly && version < SCHEMA_VERSION) {
      // a history from an older version is upgraded once, where it may be written; a reader then reads it
      closeDatabase(db, { optimize: false });
      try {
        closeDatabase(openDatabase(file, { ...options, readonly: false }));
        return openDatabase(file, options);
      } catch (error) {
        if (error instanceof TriageError && error.code !== 'DB_UNREADABLE') throw error;
      }
      throw new TriageError(
        'DB_UNREADABLE',
        `the history database ${file} was written by an older RTC Triage (schema ${version}, this version reads ${SCHEMA_VERSION}) and cannot be upgraded here: this user may not write it. Run any rtc-triage command on it once as its owner (it upgrades in place), or read a writable copy`,
      );
    }
    db.pragma('busy_timeout = 5000');
    checkIntact(options.readonly || memory ? db : file, file, options);
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
    // no optimize: a refused database (newer, damaged) is left exactly as it was
    closeDatabase(db, { optimize: false });
    if (error instanceof TriageError) throw error;
    throw new TriageError(
      'DB_UNREADABLE',
      `cannot use the history database ${file}: ${errorMessage(error)}`,
      { cause: error },
    );
  }
}

function open(file: string, options: OpenOptions, readonly = options.readonly ?? false): Database {
  return new BetterSqlite3(file, {
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    ...(readonly ? { readonly: true, fileMustExist: true } : {}),
  });
}

/**
 * Opens for reading only. SQLite reads a WAL database only where it may create the `-shm` file next
 * to it, so a history on a read-only disk or owned by another user could not even be read. When the
 * first read says so, the database (and its `-wal`) is copied into a private temporary folder and the
 * copy is read; `closeDatabase` removes it.
 */
function openReadOnly(file: string, options: OpenOptions): Database {
  const db = open(file, options, true);
  try {
    db.pragma('user_version', { simple: true });
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    return db;
  } catch (error) {
    db.close();
    if (!/readonly|unable to open/i.test(errorMessage(error))) throw error;
  }
  const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-read-'));
  try {
    const copy = join(dir, basename(file));
    copyFileSync(file, copy);
    if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
    const copied = open(copy, options, true);
    readCopies.set(copied, dir);
    return copied;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * `PRAGMA quick_check`: a damaged page is named here, not met halfway through a diagnosis. A writer's
 * file is checked through a read-only connection of its own, which reads pages about 3.5× faster than a
 * read-write one (bench/store.ts prints the cost of an open).
 */
function checkIntact(source: Database | string, file: string, options: OpenOptions): void {
  if (typeof source === 'string' && statSync(source).size === 0) return; // new: nothing to check yet
  const db = typeof source === 'string' ? open(source, options, true) : source;
  let rows: string[];
  try {
    rows = (db.pragma('quick_check(3)') as Array<{ quick_check: string }>).map((r) => r.quick_check);
  } finally {
    if (db !== source) db.close();
  }
  if (rows.length === 1 && rows[0] === 'ok') return;
  const problems = rows
    .join('\n')
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('***'))
    .join('; ')
    .slice(0, 300);
  throw new TriageError(
    'DB_UNREADABLE',
    `the history database ${file} is damaged (SQLite quick_check: ${problems}); it was not modified. Move it aside (keep it for a support ticket) and RTC Triage starts a new history, or restore a backup.`,
  );
}

/** A new database gets a private folder and file; an existing one this user owns is made private. */
function makePrivate(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: PRIVATE_DIR });
  try {
    closeSync(openSync(file, 'wx', PRIVATE_FILE));
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return; // opening will say what is wrong
  }
  const uid = process.getuid?.();
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      const stat = statSync(path);
      if (stat.isFile() && (uid === undefined || stat.uid === uid) && (stat.mode & 0o077) !== 0)
        chmodSync(path, PRIVATE_FILE);
    } catch {
      // absent (-wal, -shm) or not ours: nothing to tighten
    }
  }
}

function migrate(db: Database, from: number): void {
  if (from === SCHEMA_VERSION) return;
  db.transaction(() => {
    for (let version = from; version < SCHEMA_VERSION; version++) MIGRATIONS[version]?.(db);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

export function closeDatabase(db: Database, options: { optimize?: boolean } = {}): void {
  const copy = readCopies.get(db);
  try {
    // best effort: a full disk must not turn a clean close (and the error being reported) into another one
    if (db.open && !db.readonly && options.optimize !== false) {
      try {
        db.pragma('optimize');
      } catch {
        // the statistics stay as they were
      }
    }
  } finally {
    if (db.open) db.close();
    if (copy) {
      readCopies.delete(db);
      rmSync(copy, { recursive: true, force: true });
    }
  }
}
