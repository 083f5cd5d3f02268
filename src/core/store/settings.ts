import type { Database, Statement } from 'better-sqlite3';
import type { z } from 'zod';
import { SettingsSchema, TargetSchema, type Settings, type Target } from '../../contract';

const SavedTargetsSchema = TargetSchema.array();

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

  constructor(db: Database) {
    this.read = db.prepare('SELECT value_json FROM settings WHERE key = ?').pluck();
    this.write = db.prepare(
      `INSERT INTO settings (key, value_json, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at`,
    );
    this.remove = db.prepare('DELETE FROM settings WHERE key = ?');
  }

  settings(): Settings | null {
    return this.document(KEYS.settings, SettingsSchema);
  }

  saveSettings(settings: Settings): void {
    this.write.run(KEYS.settings, JSON.stringify(settings), Date.now());
  }

  targets(): Target[] | null {
    const targets = this.document(KEYS.targets, SavedTargetsSchema);
    return targets && targets.length > 0 ? targets : null;
  }

  saveTargets(targets: readonly Target[]): void {
    this.write.run(KEYS.targets, JSON.stringify(targets), Date.now());
  }

  clearTargets(): void {
    this.remove.run(KEYS.targets);
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
