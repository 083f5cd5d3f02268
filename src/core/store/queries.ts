import type { Database, Statement } from 'better-sqlite3';
import type { AttemptReport, Layer } from '../../contract';
import { BUCKET_MS } from './migrations/002-layers-and-buckets';

export { BUCKET_MS };

/**
 * The `attempt_buckets` of one target at one layer, as columns: `buckets[i]` is a bucket number
 * (epoch ms / BUCKET_MS) and the other arrays hold its counts. Columns, because materialising tens
 * of thousands of row objects costs more than the whole analysis.
 */
export interface BucketColumns {
  targetId: string;
  layer: Layer;
  buckets: number[];
  attempts: number[];
  failures: number[];
  timeouts: number[];
  noRoute: number[];
}

export interface StoredTarget {
  id: string;
  kind: string;
  url: string;
  layer: Layer;
}

export interface AttemptRow {
  id: string;
  targetId: string;
  probe: string;
  layer: Layer;
  outcome: AttemptReport['outcome'];
  errorClass: string | null;
  startedAt: number;
  durationMs: number;
}

type Edge = 'firstSuccess' | 'lastSuccess' | 'firstFailure' | 'lastFailure';

/**
 * The read side the analysis needs, every query served by an index: buckets by time (primary key),
 * and the edges of an outage (first/last success or failure of a target in a range) by
 * `attempts_by_target_time (target_id, started_at, outcome)`.
 */
export class HistoryQueries {
  private readonly buckets: Statement;
  private readonly targetsStatement: Statement;
  private readonly edges: Record<Edge, Statement>;
  private readonly recent: Statement;
  private readonly window: Statement;

  constructor(db: Database) {
    this.buckets = db.prepare(
      `SELECT target_id AS targetId, layer, json_group_array(bucket) AS buckets,
         json_group_array(attempts) AS attempts, json_group_array(failures) AS failures,
         json_group_array(timeouts) AS timeouts, json_group_array(no_route) AS noRoute
       FROM attempt_buckets WHERE bucket >= ? AND bucket < ? AND attempts > 0
       GROUP BY target_id, layer`,
    );
    this.targetsStatement = db.prepare(
      "SELECT id, kind, url, coalesce(layer, 'L2') AS layer FROM targets ORDER BY id",
    );
    const edge = (outcome: string, order: 'ASC' | 'DESC') =>
      db
        .prepare(
          `SELECT started_at FROM attempts INDEXED BY attempts_by_target_time
           WHERE target_id = ? AND started_at >= ? AND started_at < ? AND ${outcome}
           ORDER BY started_at ${order} LIMIT 1`,
        )
        .pluck();
    const failed = "outcome IN ('timeout', 'error')";
    this.edges = {
      firstSuccess: edge("outcome = 'success'", 'ASC'),
      lastSuccess: edge("outcome = 'success'", 'DESC'),
      firstFailure: edge(failed, 'ASC'),
      lastFailure: edge(failed, 'DESC'),
    };
    this.recent = db.prepare(
      `SELECT id, target_id AS targetId, probe, layer, outcome, error_class AS errorClass, started_at AS startedAt,
         duration_ms AS durationMs
       FROM attempts INDEXED BY attempts_by_target_time
       WHERE target_id = ? AND started_at >= ? AND started_at < ? AND outcome NOT IN ('aborted', 'skipped')
       ORDER BY started_at DESC LIMIT ?`,
    );
    this.window = db.prepare(
      `SELECT id, correlation_id, probe, target_id, attempt, outcome, stage, error_class, error_message, started_at,
         duration_ms, metrics_json, layer
       FROM attempts WHERE started_at >= ? AND started_at < ? ORDER BY started_at DESC LIMIT ?`,
    );
  }

  /** Buckets whose start lies in [from, to), per target and layer. */
  bucketsBetween(from: number, to: number): BucketColumns[] {
    const rows = this.buckets.all(Math.floor(from / BUCKET_MS), Math.ceil(to / BUCKET_MS)) as Array<
      Record<string, string>
    >;
    return rows.map((row) => ({
      targetId: String(row.targetId),
      layer: row.layer as Layer,
      buckets: JSON.parse(String(row.buckets)) as number[],
      attempts: JSON.parse(String(row.attempts)) as number[],
      failures: JSON.parse(String(row.failures)) as number[],
      timeouts: JSON.parse(String(row.timeouts)) as number[],
      noRoute: JSON.parse(String(row.noRoute)) as number[],
    }));
  }

  targets(): StoredTarget[] {
    return this.targetsStatement.all() as StoredTarget[];
  }

  /** The first or last success / failure (timeout or error) of a target in [from, to), epoch ms. */
  edge(which: Edge, targetId: string, from: number, to: number): number | null {
    return (this.edges[which].get(targetId, from, to) as number | undefined) ?? null;
  }

  /** A target's newest attempts in [from, to), newest first. */
  recentAttempts(targetId: string, from: number, to: number, limit: number): AttemptRow[] {
    return this.recent.all(targetId, from, to, limit) as AttemptRow[];
  }

  /** Raw rows of the newest attempts in [from, to) (newest first), for `attemptFromRow`. */
  attemptsBetween(from: number, to: number, limit: number): Array<Record<string, unknown>> {
    return this.window.all(from, to, limit) as Array<Record<string, unknown>>;
  }
}
