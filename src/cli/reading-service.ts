import { existsSync } from 'node:fs';
import type { Config } from '../contract';
import { UsageError } from '../core/errors';
import { defaultDbPath } from '../core/paths';
import { TriageService } from '../core/service';

/**
 * The service a reading command (`history`, `export`) goes through: the history at `--db` opened
 * read-only (never created or migrated: a mistyped --db stays an error, not a new empty history), no
 * peer hosts, no monitor, no telemetry of its own. The caller closes it.
 */
export function openReadingService(args: {
  /** The command, for the message. */
  command: string;
  db: string | undefined;
  version: string;
  /** The config a bundle includes (read after the history is found); `null`: none. Absent: none needed. */
  config?: () => { config: Config; path: string } | null;
}): TriageService {
  const dbPath = args.db ?? defaultDbPath();
  // reading must not create: a mistyped --db would otherwise read as an empty, healthy-looking history
  if (!existsSync(dbPath))
    throw new UsageError(
      `${args.command}: there is no history at ${dbPath} (run a diagnosis first, or pass --db)`,
    );
  const config = args.config?.() ?? null;
  return new TriageService({
    ...(config ? { config: config.config, configPath: config.path } : { config: null }),
    dbPath,
    readonly: true,
    face: 'cli',
    version: args.version,
    telemetry: false,
  });
}
