import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Where the history lives by default: the per-user data folder a desktop app would use, shared by
 * the CLI and the desktop app so both see one history. RTC_TRIAGE_DATA_DIR overrides it.
 */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env.RTC_TRIAGE_DATA_DIR) return env.RTC_TRIAGE_DATA_DIR;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'rtc-triage');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'rtc-triage');
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'rtc-triage');
}

export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(defaultDataDir(env), 'history.db');
}

/**
 * The JSON log lives with the history it describes: `<folder of the database>/logs/` — by default
 * the user data folder, next to history.db. `export` takes the recent part of it from the same place.
 */
export function logDirFor(dbPath: string): string {
  return join(dirname(dbPath), 'logs');
}

export function defaultLogDir(env: NodeJS.ProcessEnv = process.env): string {
  return logDirFor(defaultDbPath(env));
}
