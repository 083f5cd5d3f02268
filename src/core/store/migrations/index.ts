import type { Database } from 'better-sqlite3';
import { migration001Initial } from './001-initial';
import { migration002LayersAndBuckets } from './002-layers-and-buckets';
import { migration003Settings } from './003-settings';
import { migration004SkippedOutcome } from './004-skipped-outcome';
import { migration005Calls } from './005-calls';

/** One numbered migration per file, applied in order; `user_version` records the last one applied. */
export const MIGRATIONS: ReadonlyArray<(db: Database) => void> = [
  migration001Initial,
  migration002LayersAndBuckets,
  migration003Settings,
  migration004SkippedOutcome,
  migration005Calls,
];
export const SCHEMA_VERSION = MIGRATIONS.length;
