import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import { z } from 'zod';
import {
  publicUrl,
  SettingsSchema,
  TargetSchema,
  urlHasSecret,
  type Settings,
  type Target,
} from '../../contract';

const SavedTargetsSchema = TargetSchema.array();

/** The secret fields of one saved target, by its position in the list (`saveTargets`). */
const TargetSecretsSchema = z.strictObject({
  username: z.string().optional(),
  credential: z.string().optional(),
  key: z.string().optional(),
  url: z.string().optional(),
});
const SecretsFileSchema = z.strictObject({
  format: z.literal('rtc-triage/saved-secrets@1'),
  /** Ties the file to the one list it belongs to: a list saved elsewhere does not take these secrets. */
  list: z.string(),
  targets: z.array(TargetSecretsSchema),
});
type TargetSecrets = z.infer<typeof TargetSecretsSchema>;

/** Keys of the `settings` table (migration 003). */
const KEYS = { settings: 'settings', targets: 'targets' } as const;

/**
 * The UI's saved settings and target list, one validated JSON document per key. A stored document
 * that no longer matches its schema (edited by hand, or written by a newer version) reads as absent:
 * the caller falls back to its defaults rather than failing.
 */
export class SettingsStore {
  private readonly read: Statement;
  private readonly write: Statement;
  private readonly remove: Statement;

  /**
   * The saved list's secrets (TURN usernames and credentials, PeerJS keys, signaling URLs that carry
   * userinfo or a token) are never in the shared settings table, which every reader of the history
   * (a bundle, a copy, a backup) gets: they live in `<database>-secrets.json`, created 0600, and the
   * table holds the list with those fields taken out. `:memory:` keeps them in this object.
   */
  private readonly secretsFile: string | null;
  private memorySecrets: string | null = null;

  constructor(db: Database) {
    this.read = db.prepare('SELECT value_json FROM settings WHERE key = ?').pluck();
    this.write = db.prepare(
      `INSERT INTO settings (key, value_json, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at`,
    );
    this.remove = db.prepare('DELETE FROM settings WHERE key = ?');
    this.secretsFile = db.memory || !db.name ? null : `${db.name}-secrets.json`;
    if (!db.readonly) this.moveInlineSecrets(db);
  }

  settings(): Settings | null {
    return this.document(KEYS.settings, SettingsSchema);
  }

  saveSettings(settings: Settings): void {
    this.write.run(KEYS.settings, JSON.stringify(settings), Date.now());
  }

  /** The saved list with its secrets put back; null when there is none, or its secrets file is gone. */
  targets(): Target[] | null {
    const text = this.read.get(KEYS.targets) as string | undefined;
    if (text === undefined) return null;
    let stored: unknown;
    try {
      stored = JSON.parse(text);
    } catch {
      return null;
    }
    if (!Array.isArray(stored) || stored.length === 0) return null;
    const secrets = this.readSecrets(text);
    const merged = stored.map((target: unknown, index) =>
      target && typeof target === 'object' ? { ...target, ...(secrets?.[index] ?? {}) } : target,
    );
    const parsed = SavedTargetsSchema.safeParse(merged);
    return parsed.success ? parsed.data : null;
  }

  saveTargets(targets: readonly Target[]): void {
    const { list, secrets } = splitSecrets(targets);
    const text = JSON.stringify(list);
    // secrets first: a list in the table always finds the secrets it was saved with
    this.writeSecrets(text, secrets);
    this.write.run(KEYS.targets, text, Date.now());
  }

  clearTargets(): void {
    this.remove.run(KEYS.targets);
    this.writeSecrets(null, []);
  }

  /** A list saved by a version that kept secrets inline is split once, when the history is opened for writing. */
  private moveInlineSecrets(db: Database): void {
    const text = this.read.get(KEYS.targets) as string | undefined;
    if (text === undefined) return;
    const inline = SavedTargetsSchema.safeParse(safeJson(text));
    if (!inline.success || !splitSecrets(inline.data).secrets.some((s) => Object.keys(s).length > 0)) return;
    // overwrite the old row's bytes instead of leaving them in a free page, and keep no copy in the WAL
    const before = db.pragma('secure_delete', { simple: true }) as number;
    db.pragma('secure_delete = ON');
    try {
      this.saveTargets(inline.data);
      db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      db.pragma(`secure_delete = ${before}`);
    }
  }

  private readSecrets(list: string): TargetSecrets[] | null {
    let text: string | null;
    if (this.secretsFile === null) text = this.memorySecrets;
    else {
      try {
        text = readFileSync(this.secretsFile, 'utf8');
      } catch {
        text = null;
      }
    }
    if (text === null) return null;
    const parsed = SecretsFileSchema.safeParse(safeJson(text));
    return parsed.success && parsed.data.list === listDigest(list) ? parsed.data.targets : null;
  }

  private writeSecrets(list: string | null, secrets: TargetSecrets[]): void {
    const none = list === null || secrets.every((s) => Object.keys(s).length === 0);
    const text = none
      ? null
      : JSON.stringify({ format: 'rtc-triage/saved-secrets@1', list: listDigest(list), targets: secrets });
    if (this.secretsFile === null) {
      this.memorySecrets = text;
      return;
    }
    if (text === null) {
      rmSync(this.secretsFile, { force: true });
      return;
    }
    // atomic and private from the first byte: a temporary 0600 file renamed over the old one
    const partial = `${this.secretsFile}.${randomBytes(4).toString('hex')}.partial`;
    const fd = openSync(partial, 'wx', 0o600);
    try {
      try {
        writeSync(fd, text);
      } finally {
        closeSync(fd);
      }
      renameSync(partial, this.secretsFile);
    } catch (error) {
      rmSync(partial, { force: true });
      throw error;
    }
  }

  private document<S extends z.ZodType>(key: string, schema: S): z.output<S> | null {
    const text = this.read.get(key) as string | undefined;
    if (text === undefined) return null;
    try {
      const parsed = schema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** A short fingerprint of the list the secrets belong to (not a secret itself: the list holds none). */
function listDigest(list: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < list.length; i++) hash = Math.imul(hash ^ list.charCodeAt(i), 0x01000193) >>> 0;
  return `${list.length}:${hash.toString(16)}`;
}

/** The list without its secrets, and the secrets by position. */
function splitSecrets(targets: readonly Target[]): { list: unknown[]; secrets: TargetSecrets[] } {
  const list: unknown[] = [];
  const secrets: TargetSecrets[] = [];
  for (const target of targets) {
    const own: TargetSecrets = {};
    const rest: Record<string, unknown> = { ...target };
    if (target.kind === 'turn') {
      if (target.username !== undefined) own.username = target.username;
      if (target.credential !== undefined) own.credential = target.credential;
      delete rest.username;
      delete rest.credential;
    }
    if (target.kind === 'peerjs' && target.key !== undefined) {
      own.key = target.key;
      delete rest.key;
    }
    if ((target.kind === 'gun' || target.kind === 'peerjs') && urlHasSecret(target.url)) {
      own.url = target.url;
      rest.url = publicUrl(target.url);
    }
    list.push(rest);
    secrets.push(own);
  }
  return { list, secrets };
}
