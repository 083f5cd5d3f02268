import type { Database } from 'better-sqlite3';
import { migration001Initial } from './001-initial';
import { migration002LayersAndBuckets } from './002-layers-and-buckets';

/** One numbered migration per file, applied in order; `user_version` records the last one applied. */
export const MIGRATIONS: ReadonlyArray<(db: Database) => void> = [
  migration001Initial,
  migration002LayersAndBuckets,
];
export const SCHEMA_VERSION = MIGRATIONS.length;
