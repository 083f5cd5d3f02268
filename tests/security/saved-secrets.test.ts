import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Target } from '../../src/contract';
import { tempService, SEED_CONFIG, type TempService } from '../service/fixture';

// Issue 19: saved TURN passwords sat in plain text in the settings table, which every reader of the
// history gets (a bundle's source, a copy, a backup). They now live in a 0600 file next to the database.

const SECRETS = {
  username: 'turn-user-5a1d',
  credential: 'turn-pass-93be',
  key: 'peer-key-c41f',
  token: 'gun-token-7e02',
  password: 'gun-pass-18aa',
};
const SAVED: Target[] = [
  { kind: 'turn', url: 'turn:127.0.0.1:3478', username: SECRETS.username, credential: SECRETS.credential },
  { kind: 'peerjs', url: 'http://127.0.0.1:9000/peerjs', key: SECRETS.key },
  { kind: 'gun', url: `http://u:${SECRETS.password}@127.0.0.1:8765/gun?access_token=${SECRETS.token}` },
  { kind: 'stun', url: 'stun:127.0.0.1:3478' },
];

/** Every byte of the database files (not the secrets file) as text. */
function databaseBytes(dbPath: string): string {
  return readdirSync(dirname(dbPath))
    .filter((f) => /^history\.db(-wal|-shm)?$/.test(f))
    .map((f) => readFileSync(join(dirname(dbPath), f)).toString('latin1'))
    .join('\n');
}
const leaks = (text: string) => Object.values(SECRETS).filter((s) => text.includes(s));

let temp: TempService | undefined;
afterEach(() => {
  temp?.close();
  temp = undefined;
});

describe('saved secrets stay out of the settings table (issue 19)', () => {
  it('a saved list keeps its secrets in a 0600 file; the database holds none; a restart reads them back', () => {
    temp = tempService();
    expect(temp.service.saveTargets({ targets: SAVED })).toEqual(SAVED);
    expect(temp.service.listTargets()).toEqual(SAVED);
    const file = `${temp.dbPath}-secrets.json`;
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const row = new BetterSqlite3(temp.dbPath, { readonly: true })
      .prepare("SELECT value_json FROM settings WHERE key = 'targets'")
      .pluck()
      .get() as string;
    expect(leaks(row)).toEqual([]);
    expect(JSON.parse(row)[2].url).toBe('http://[secret]@127.0.0.1:8765/gun?access_token=[secret]');
    temp.service.close();
    expect(leaks(databaseBytes(temp.dbPath))).toEqual([]);
    expect(temp.reopen().listTargets()).toEqual(SAVED);
  });

  it('a list an older version saved with its secrets inline is split on open, and the old bytes are gone', () => {
    temp = tempService();
    temp.service.listTargets(); // creates the database
    temp.service.close();
    const db = new BetterSqlite3(temp.dbPath);
    db.prepare("INSERT INTO settings (key, value_json, updated_at) VALUES ('targets', ?, 0)").run(
      JSON.stringify(SAVED),
    );
    db.close();
    expect(leaks(databaseBytes(temp.dbPath)).length).toBeGreaterThan(0);
    const reopened = temp.reopen();
    expect(reopened.listTargets()).toEqual(SAVED);
    reopened.close();
    expect(leaks(databaseBytes(temp.dbPath))).toEqual([]);
    expect(existsSync(`${temp.dbPath}-secrets.json`)).toBe(true);
  });

  it('without its secrets file the saved list is not used half-filled: the config list is', () => {
    temp = tempService();
    temp.service.saveTargets({ targets: SAVED });
    temp.service.close();
    rmSync(`${temp.dbPath}-secrets.json`);
    const targets = temp.reopen().listTargets();
    expect(targets.map((t) => t.url)).toEqual(SEED_CONFIG.targets.map((t) => t.url));
  });

  it('resetting the list removes its secrets file', () => {
    temp = tempService();
    temp.service.saveTargets({ targets: SAVED });
    temp.service.resetTargets();
    expect(existsSync(`${temp.dbPath}-secrets.json`)).toBe(false);
  });
});
