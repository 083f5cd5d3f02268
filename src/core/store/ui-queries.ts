import type { Database, Statement } from 'better-sqlite3';
import type { Outcome } from '../../contract';

/** A target's counts over a window, hairpin-only sessions left out as in the failure rates of history. */
export interface TargetWindowCounts {
  attempts: number;
  failures: number;
}

export interface AttemptFilter {
  from: number;
  targetId?: string;
  probe?: string;
  outcome?: Outcome;
  failedOnly?: boolean;
  runId?: string;
  before?: { startedAt: number; id: string };
  limit: number;
}

/** An attempt row joined with its target, for `attemptFromRow` plus the log's extra columns. */
export type LoggedAttemptRow = Record<string, unknown> & {
  run_id: string;
  layer: string;
  target_url: string;
  target_kind: string;
};

export interface EventRow {
  name: string;
  at: number;
  data_json: string | null;
}

const ATTEMPT_SELECT = `SELECT a.id, a.run_id, a.correlation_id, a.probe, a.target_id, a.attempt, a.outcome, a.stage,
    a.error_class, a.error_message, a.started_at, a.duration_ms, a.metrics_json, a.layer,
    t.url AS target_url, t.kind AS target_kind
  FROM attempts a JOIN targets t ON t.id = a.target_id`;

/** A reflexive-only session (see evidence/layers.ts `isHairpinOnly`) in SQL. */
const HAIRPIN_ONLY = `(probe = 'peer-connection' AND (json_extract(metrics_json, '$.path') = 'srflx'
  OR (json_extract(metrics_json, '$.path') IS NULL AND ? = 'stun')))`;

/**
 * The reads behind the UI's screens that the analysis does not already do (store/queries.ts):
 * per-target counts and RTTs over a window, RTT samples for the charts, the filtered attempt log,
 * one attempt with its events. Each is served by an index (tests/store/ui-queries.test.ts).
 */
export class UiQueries {
  private readonly counts: Statement;
  private readonly rtts: Statement;
  private readonly rttSamples: Statement;
  private readonly countBetween: Statement;
  private readonly attempt: Statement;
  private readonly events: Statement;
  private readonly seenTargets: Statement;
  private readonly logs = new Map<string, Statement>();

  constructor(private readonly db: Database) {
    this.counts = db.prepare(
      `SELECT count(*) AS attempts, coalesce(sum(outcome <> 'success'), 0) AS failures
       FROM attempts INDEXED BY attempts_by_target_time
       WHERE target_id = ? AND started_at >= ? AND started_at < ? AND outcome NOT IN ('aborted', 'skipped')
         AND NOT ${HAIRPIN_ONLY}`,
    );
    this.rtts = db
      .prepare(
        `SELECT json_extract(metrics_json, '$.rttMs') FROM attempts INDEXED BY attempts_by_target_time
         WHERE target_id = ? AND started_at >= ? AND started_at < ? AND outcome = 'success'
           AND json_type(metrics_json, '$.rttMs') IN ('integer', 'real')`,
      )
      .pluck();
    // `@keep` of every 1000 rows, picked by a multiplicative hash of the rowid (a Weyl sequence, so
    // the checks of one round do not alias onto the same residue): decided from the index alone,
    // before the row and its JSON are read.
    this.rttSamples = db.prepare(
      `SELECT target_id AS targetId, started_at AS startedAt, json_extract(metrics_json, '$.rttMs') AS rtt
       FROM attempts INDEXED BY attempts_by_time
       WHERE started_at >= @from AND started_at < @to
         AND ((rowid * 2654435761) % 4294967296) % 1000 < @keep
         AND outcome = 'success' AND json_type(metrics_json, '$.rttMs') IN ('integer', 'real')`,
    );
    this.countBetween = db
      .prepare(
        'SELECT count(*) FROM attempts INDEXED BY attempts_by_time WHERE started_at >= ? AND started_at < ?',
      )
      .pluck();
    this.attempt = db.prepare(`${ATTEMPT_SELECT} WHERE a.id = ?`);
    this.events = db.prepare('SELECT name, at, data_json FROM events WHERE attempt_id = ? ORDER BY at, id');
    this.seenTargets = db.prepare('SELECT id, url FROM targets WHERE last_seen >= ? ORDER BY id');
  }

  targetCounts(targetId: string, kind: string, from: number, to: number): TargetWindowCounts {
    return this.counts.get(targetId, from, to, kind) as TargetWindowCounts;
  }

  /** Round-trip times of a target's successful attempts in [from, to). */
  targetRtts(targetId: string, from: number, to: number): number[] {
    return this.rtts.all(targetId, from, to) as number[];
  }

  /**
   * RTTs of successful attempts in [from, to) for the charts' medians: every one up to `maxRows`
   * attempts in the window, an even sample beyond (a month of minute-by-minute monitoring is
   * hundreds of thousands of rows, and a median per chart step needs a few dozen).
   */
  rttSamplesBetween(
    from: number,
    to: number,
    maxRows = 50_000,
  ): Array<{ targetId: string; startedAt: number; rtt: number }> {
    const rows = this.countBetween.get(from, to) as number;
    const keep = rows <= maxRows ? 1000 : Math.max(1, Math.floor((1000 * maxRows) / rows));
    return this.rttSamples.all({ from, to, keep }) as Array<{
      targetId: string;
      startedAt: number;
      rtt: number;
    }>;
  }

  /** Newest first; one more row than `limit` tells the caller there is a next page. */
  attemptLog(filter: AttemptFilter): LoggedAttemptRow[] {
    const where = ['a.started_at >= @from'];
    if (filter.targetId !== undefined) where.push('a.target_id = @targetId');
    if (filter.probe !== undefined) where.push('a.probe = @probe');
    if (filter.outcome !== undefined) where.push('a.outcome = @outcome');
    if (filter.failedOnly) where.push("a.outcome IN ('timeout', 'error')");
    if (filter.runId !== undefined) where.push('a.run_id = @runId');
    if (filter.before !== undefined)
      where.push('(a.started_at < @beforeAt OR (a.started_at = @beforeAt AND a.id < @beforeId))');
    const sql = `${ATTEMPT_SELECT} WHERE ${where.join(' AND ')} ORDER BY a.started_at DESC, a.id DESC LIMIT @limit`;
    let statement = this.logs.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.logs.set(sql, statement);
    }
    const params: Record<string, unknown> = { from: filter.from, limit: filter.limit + 1 };
    if (filter.targetId !== undefined) params.targetId = filter.targetId;
    if (filter.probe !== undefined) params.probe = filter.probe;
    if (filter.outcome !== undefined) params.outcome = filter.outcome;
    if (filter.runId !== undefined) params.runId = filter.runId;
    if (filter.before !== undefined) {
      params.beforeAt = filter.before.startedAt;
      params.beforeId = filter.before.id;
    }
    return statement.all(params) as LoggedAttemptRow[];
  }

  attemptById(id: string): LoggedAttemptRow | null {
    return (this.attempt.get(id) as LoggedAttemptRow | undefined) ?? null;
  }

  eventsOf(attemptId: string): EventRow[] {
    return this.events.all(attemptId) as EventRow[];
  }

  /** Targets a run declared since `from` (the log's target filter). */
  targetsSeenSince(from: number): Array<{ id: string; url: string }> {
    return this.seenTargets.all(from) as Array<{ id: string; url: string }>;
  }
}
