import type { Database } from 'better-sqlite3';

/** Width of one `attempt_buckets` row: pattern windows (10 and 30 min) are whole multiples of it. */
export const BUCKET_MS = 300_000;

/**
 * The layer each target and attempt proves (so history can tell local from cross-network without
 * re-reading reports), and `attempt_buckets`: per 5-minute bucket, target and layer, the attempt and
 * failure counts. `HistoryStore` (the only writer) keeps them in the same transaction as the attempts
 * (one upsert per bucket per batch: a trigger's upsert per row halved the bulk-ingest rate). Pattern
 * analysis reads these rows instead of a million attempts. Cancelled attempts prove nothing and
 * hairpin-only sessions never condemn the network, so neither is counted.
 */
export function migration002LayersAndBuckets(db: Database): void {
  db.exec(`
    ALTER TABLE targets ADD COLUMN layer TEXT CHECK (layer IN ('L0', 'L1', 'L2', 'L3', 'L4'));
    -- The layer was only in the stored reports: take it from there, else from the kind.
    UPDATE targets SET layer = coalesce(
      (SELECT json_extract(t.value, '$.layer') FROM runs, json_each(runs.report_json, '$.targets') AS t
        WHERE runs.report_json IS NOT NULL AND json_valid(runs.report_json)
          AND json_extract(t.value, '$.id') = targets.id
          AND json_extract(t.value, '$.layer') IN ('L0', 'L1', 'L2', 'L3', 'L4')
        ORDER BY runs.started_at DESC LIMIT 1),
      CASE WHEN id = 'local-machine' OR kind IN ('local', 'machine') THEN 'L0' WHEN kind IN ('stun', 'turn') THEN 'L2' ELSE 'L3' END);

    ALTER TABLE attempts ADD COLUMN layer TEXT NOT NULL DEFAULT 'L2'
      CHECK (layer IN ('L0', 'L1', 'L2', 'L3', 'L4'));
    UPDATE attempts SET layer = CASE
      WHEN target_id = 'local-machine' THEN 'L0'
      WHEN (SELECT layer FROM targets WHERE targets.id = attempts.target_id) = 'L1' THEN 'L1'
      WHEN probe = 'peer-connection' AND json_extract(metrics_json, '$.path') = 'host' THEN 'L0'
      WHEN probe = 'peer-connection' THEN 'L4'
      ELSE coalesce((SELECT layer FROM targets WHERE targets.id = attempts.target_id), 'L2') END;

    -- Serves "attempts of these targets in a window" and the outage-edge look-ups without the table.
    DROP INDEX attempts_by_target_time;
    CREATE INDEX attempts_by_target_time ON attempts (target_id, started_at, outcome);

    CREATE TABLE attempt_buckets (
      bucket    INTEGER NOT NULL,
      target_id TEXT NOT NULL,
      layer     TEXT NOT NULL,
      attempts  INTEGER NOT NULL,
      failures  INTEGER NOT NULL,
      timeouts  INTEGER NOT NULL,
      no_route  INTEGER NOT NULL,
      PRIMARY KEY (bucket, target_id, layer)
    ) STRICT, WITHOUT ROWID;

    INSERT INTO attempt_buckets (bucket, target_id, layer, attempts, failures, timeouts, no_route)
      SELECT started_at / ${BUCKET_MS}, target_id, layer, count(*),
        sum(outcome <> 'success'), sum(outcome = 'timeout'), sum(coalesce(error_class IN ('dns', 'unreachable'), 0))
      FROM attempts
      WHERE outcome <> 'aborted'
        AND NOT (probe = 'peer-connection' AND (json_extract(metrics_json, '$.path') = 'srflx'
                 OR (json_extract(metrics_json, '$.path') IS NULL
                   AND (SELECT kind FROM targets WHERE targets.id = attempts.target_id) = 'stun')))
      GROUP BY 1, 2, 3;

  `);
}
