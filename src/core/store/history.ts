import type { Database, Statement } from 'better-sqlite3';
import {
  ReportSchema,
  attemptRan,
  type AttemptReport,
  type Layer,
  type Report,
  type TriageEvent,
} from '../../contract';
import { attemptLayer, isHairpinOnly, isPartnerLanOnly } from '../evidence/layers';
import type { ResolvedTarget } from '../probes/types';
import { closeDatabase, openDatabase, type OpenOptions } from './database';
import { BUCKET_MS, HistoryQueries } from './queries';

export const DEFAULT_RETENTION_DAYS = 90;
const DAY_MS = 86_400_000;

export interface HistoryOptions extends OpenOptions {
  /** Runs older than this are pruned, a few batches at a time, as new runs begin. 0 keeps everything. */
  retentionDays?: number;
}

const ATTEMPT_COLUMNS = `id, run_id, target_id, correlation_id, probe, attempt, outcome, stage, error_class,
  error_message, started_at, duration_ms, metrics_json, layer`;
const ROWS_PER_INSERT = 32;

type BucketTally = Map<string, [number, string, Layer, number, number, number, number]>;

/** One attempt for `ingest`: what `recordAttempt` takes, without events. */
export interface IngestAttempt {
  runId: string;
  attempt: AttemptReport;
}

/** Attempts and runs, written as they happen so nothing is lost when a run is cut short. */
export class HistoryStore {
  private readonly statements: {
    insertRun: Statement;
    finishRun: Statement;
    upsertTarget: Statement;
    insertAttempt: Statement;
    insertAttempts: Statement;
    insertEvent: Statement;
    lastReport: Statement;
    attemptsSince: Statement;
    targetLayer: Statement;
    insertLocalTarget: Statement;
    pruneIds: Statement;
    pruneBuckets: Statement;
    pruneEmptyBuckets: Statement;
    pruneRuns: Statement;
    addToBucket: Statement;
  };
  /** Layers of the targets seen by this process, so an attempt's write needs no extra read. */
  private readonly layers = new Map<string, Layer>();
  private readonly kinds = new Map<string, string>();
  /** Read-only queries for the analysis (cached statements). */
  readonly queries: HistoryQueries;

  private constructor(
    private readonly db: Database,
    private readonly retentionDays: number,
  ) {
    this.queries = new HistoryQueries(db);
    this.statements = {
      insertRun: db.prepare('INSERT INTO runs (id, started_at, source) VALUES (?, ?, ?)'),
      finishRun: db.prepare(
        'UPDATE runs SET finished_at = ?, verdict_kind = ?, report_json = ? WHERE id = ?',
      ),
      upsertTarget: db.prepare(
        `INSERT INTO targets (id, kind, url, layer, first_seen, last_seen) VALUES (@id, @kind, @url, @layer, @now, @now)
         ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, url = excluded.url, layer = excluded.layer,
           last_seen = excluded.last_seen`,
      ),
      // Positional parameters: named ones cost a measurable share of the bulk-ingest rate.
      insertAttempt: db.prepare(
        `INSERT INTO attempts (id, run_id, target_id, correlation_id, probe, attempt, outcome, stage, error_class,
           error_message, started_at, duration_ms, metrics_json, layer)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertAttempts: db.prepare(
        `INSERT INTO attempts (${ATTEMPT_COLUMNS}) VALUES ${Array.from({ length: ROWS_PER_INSERT }, () => `(${'?, '.repeat(13)}?)`).join(', ')}`,
      ),
      addToBucket: db.prepare(
        `INSERT INTO attempt_buckets (bucket, target_id, layer, attempts, failures, timeouts, no_route)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (bucket, target_id, layer) DO UPDATE SET attempts = attempts + excluded.attempts,
           failures = failures + excluded.failures, timeouts = timeouts + excluded.timeouts,
           no_route = no_route + excluded.no_route`,
      ),
      insertEvent: db.prepare('INSERT INTO events (attempt_id, name, at, data_json) VALUES (?, ?, ?, ?)'),
      lastReport: db.prepare(
        'SELECT report_json FROM runs WHERE report_json IS NOT NULL ORDER BY started_at DESC LIMIT 1',
      ),
      attemptsSince: db.prepare(
        `SELECT id, correlation_id, probe, target_id, attempt, outcome, stage, error_class, error_message, started_at,
           duration_ms, metrics_json FROM attempts WHERE started_at >= ? ORDER BY started_at`,
      ),
      targetLayer: db.prepare('SELECT layer, kind FROM targets WHERE id = ?'),
      // A probe may report a target no run declared (the L0 machine test): keep the row, never fail the write.
      insertLocalTarget: db.prepare(
        `INSERT INTO targets (id, kind, url, layer, first_seen, last_seen) VALUES (?, 'machine', 'local:machine', ?, ?, ?)
         ON CONFLICT (id) DO NOTHING`,
      ),
      pruneIds: db.prepare('SELECT id FROM runs WHERE started_at < ? ORDER BY started_at LIMIT ?').pluck(),
      pruneBuckets: db.prepare(
        `UPDATE attempt_buckets SET attempts = attempt_buckets.attempts - d.attempts,
           failures = attempt_buckets.failures - d.failures, timeouts = attempt_buckets.timeouts - d.timeouts,
           no_route = attempt_buckets.no_route - d.no_route
         FROM (SELECT started_at / ${BUCKET_MS} AS bucket, target_id, layer, count(*) AS attempts,
                 sum(outcome <> 'success') AS failures, sum(outcome = 'timeout') AS timeouts,
                 sum(coalesce(error_class IN ('dns', 'unreachable'), 0)) AS no_route
               FROM attempts
               WHERE run_id IN (SELECT value FROM json_each(?)) AND outcome NOT IN ('aborted', 'skipped')
                 AND NOT (probe = 'peer-connection' AND (json_extract(metrics_json, '$.path') = 'srflx'
                 OR (json_extract(metrics_json, '$.path') IS NULL
                   AND (SELECT kind FROM targets WHERE targets.id = attempts.target_id) = 'stun')))
                 AND NOT (probe = 'partner-session' AND json_extract(metrics_json, '$.path') = 'host'
                   AND outcome <> 'success')
               GROUP BY 1, 2, 3) AS d
         WHERE attempt_buckets.bucket = d.bucket AND attempt_buckets.target_id = d.target_id
           AND attempt_buckets.layer = d.layer`,
      ),
      pruneEmptyBuckets: db.prepare('DELETE FROM attempt_buckets WHERE bucket <= ? AND attempts <= 0'),
      pruneRuns: db.prepare('DELETE FROM runs WHERE id IN (SELECT value FROM json_each(?))'),
    };
  }

  static open(file: string, options: HistoryOptions = {}): HistoryStore {
    return new HistoryStore(openDatabase(file, options), options.retentionDays ?? DEFAULT_RETENTION_DAYS);
  }

  /** The database file (for messages). */
  get file(): string {
    return this.db.name;
  }

  get database(): Database {
    return this.db;
  }

  beginRun(
    runId: string,
    startedAt: Date,
    source: string,
    // a partner test also names the other tester (kind `partner`), which no config lists
    targets: ReadonlyArray<Pick<ResolvedTarget, 'id' | 'url' | 'layer'> & { kind: string }>,
  ): void {
    const now = startedAt.getTime();
    this.db.transaction(() => {
      this.statements.insertRun.run(runId, now, source);
      for (const target of targets) {
        this.layers.set(target.id, target.layer);
        this.kinds.set(target.id, target.kind);
        this.statements.upsertTarget.run({
          id: target.id,
          kind: target.kind,
          url: target.url,
          layer: target.layer,
          now,
        });
      }
    })();
    if (this.retentionDays > 0) this.prune(new Date(now - this.retentionDays * DAY_MS), { maxBatches: 4 });
  }

  /**
   * Deletes runs started before `cutoff` (their attempts and events go with them), `batchSize` runs
   * per transaction so a writer never waits long; stops after `maxBatches` (the rest goes next time).
   * Returns the number of runs deleted.
   */
  prune(cutoff: Date, options: { batchSize?: number; maxBatches?: number } = {}): number {
    const batchSize = options.batchSize ?? 200;
    const maxBatches = options.maxBatches ?? Number.POSITIVE_INFINITY;
    let deleted = 0;
    const before = cutoff.getTime();
    const batch = this.db.transaction(() => {
      const ids = JSON.stringify(this.statements.pruneIds.all(before, batchSize));
      // A run may have attempts after its start: bound the bucket sweep by the newest of them.
      this.statements.pruneBuckets.run(ids);
      this.statements.pruneEmptyBuckets.run(Math.ceil((before + DAY_MS) / BUCKET_MS));
      return this.statements.pruneRuns.run(ids).changes;
    });
    for (let n = 0; n < maxBatches; n++) {
      const changes = batch();
      deleted += changes;
      if (changes < batchSize) break;
    }
    return deleted;
  }

  private layerFor(attempt: AttemptReport, at: number): Layer {
    let layer = this.layers.get(attempt.targetId);
    if (layer === undefined) {
      const row = this.statements.targetLayer.get(attempt.targetId) as
        { layer: Layer | null; kind: string } | undefined;
      layer = row?.layer ?? undefined;
      const own = attemptLayer(attempt, layer);
      if (!row) this.statements.insertLocalTarget.run(attempt.targetId, own, at, at);
      this.layers.set(attempt.targetId, layer ?? own);
      this.kinds.set(attempt.targetId, row?.kind ?? 'machine');
      return own;
    }
    return attemptLayer(attempt, layer);
  }

  /** Inserts the attempt and adds it to `tally` (bucket key → counts), written by `flushBuckets`. */
  /** The 14 column values of an attempt's row; adds the attempt to `tally` (written by `flushBuckets`). */
  private attemptRow(runId: string, attempt: AttemptReport, tally: BucketTally): unknown[] {
    const startedAt = Date.parse(attempt.startedAt);
    const layer = this.layerFor(attempt, startedAt);
    if (
      attemptRan(attempt) &&
      !isHairpinOnly(attempt, this.kinds.get(attempt.targetId)) &&
      !isPartnerLanOnly(attempt)
    ) {
      const bucket = Math.floor(startedAt / BUCKET_MS);
      const key = `${bucket}\u0000${attempt.targetId}\u0000${layer}`;
      let counts = tally.get(key);
      if (!counts) {
        counts = [bucket, attempt.targetId, layer, 0, 0, 0, 0];
        tally.set(key, counts);
      }
      counts[3]++;
      if (attempt.outcome !== 'success') counts[4]++;
      if (attempt.outcome === 'timeout') counts[5]++;
      if (attempt.errorClass === 'dns' || attempt.errorClass === 'unreachable') counts[6]++;
    }
    return [
      attempt.id,
      runId,
      attempt.targetId,
      attempt.correlationId,
      attempt.probe,
      attempt.attempt,
      attempt.outcome,
      attempt.stage,
      attempt.errorClass,
      attempt.errorMessage,
      startedAt,
      attempt.durationMs,
      JSON.stringify(attempt.metrics),
      layer,
    ];
  }

  private flushBuckets(tally: BucketTally): void {
    for (const counts of tally.values()) this.statements.addToBucket.run(counts);
  }

  /**
   * Insert-heavy bulk load (imports, benchmarks): `batchSize` attempts per transaction. The runs and
   * targets they name must exist (`beginRun`).
   */
  ingest(rows: Iterable<IngestAttempt>, batchSize = 5000): number {
    let count = 0;
    let batch: IngestAttempt[] = [];
    const flush = this.db.transaction((items: IngestAttempt[]) => {
      const tally: BucketTally = new Map();
      let i = 0;
      // Several rows per statement: fewer calls across the native boundary, same rows on disk.
      for (; i + ROWS_PER_INSERT <= items.length; i += ROWS_PER_INSERT) {
        const values: unknown[] = [];
        for (let k = i; k < i + ROWS_PER_INSERT; k++) {
          const item = items[k] as IngestAttempt;
          values.push(...this.attemptRow(item.runId, item.attempt, tally));
        }
        this.statements.insertAttempts.run(values);
      }
      for (; i < items.length; i++) {
        const item = items[i] as IngestAttempt;
        this.statements.insertAttempt.run(this.attemptRow(item.runId, item.attempt, tally));
      }
      this.flushBuckets(tally);
    });
    for (const row of rows) {
      batch.push(row);
      if (batch.length >= batchSize) {
        flush(batch);
        count += batch.length;
        batch = [];
      }
    }
    if (batch.length) flush(batch);
    return count + batch.length;
  }

  /** One transaction per attempt: once this returns, the attempt and its events are on disk. */
  recordAttempt(runId: string, attempt: AttemptReport, events: ReadonlyArray<TriageEvent>): void {
    this.db.transaction(() => {
      const tally: BucketTally = new Map();
      this.statements.insertAttempt.run(this.attemptRow(runId, attempt, tally));
      this.flushBuckets(tally);
      for (const event of events) {
        this.statements.insertEvent.run(
          attempt.id,
          event.name,
          Date.parse(event.at),
          event.data ? JSON.stringify(event.data) : null,
        );
      }
    })();
  }

  finishRun(report: Report): void {
    this.statements.finishRun.run(
      Date.parse(report.finishedAt),
      report.verdict.kind,
      JSON.stringify(report),
      report.runId,
    );
  }

  /** The newest finished report; a row that no longer matches the schema is skipped, not fatal. */
  lastReport(): Report | null {
    const row = this.statements.lastReport.get() as { report_json: string } | undefined;
    if (!row) return null;
    const parsed = ReportSchema.safeParse(JSON.parse(row.report_json));
    return parsed.success ? parsed.data : null;
  }

  attemptsSince(since: Date): AttemptReport[] {
    const rows = this.statements.attemptsSince.all(since.getTime()) as Array<Record<string, unknown>>;
    return rows.map(attemptFromRow);
  }

  close(): void {
    closeDatabase(this.db);
  }
}

export function attemptFromRow(row: Record<string, unknown>): AttemptReport {
  return {
    id: String(row.id),
    correlationId: String(row.correlation_id),
    probe: String(row.probe),
    targetId: String(row.target_id),
    attempt: Number(row.attempt),
    outcome: row.outcome as AttemptReport['outcome'],
    stage: String(row.stage),
    errorClass: (row.error_class as AttemptReport['errorClass']) ?? null,
    errorMessage: (row.error_message as string | null) ?? null,
    startedAt: new Date(Number(row.started_at)).toISOString(),
    durationMs: Number(row.duration_ms),
    metrics: JSON.parse(String(row.metrics_json)) as AttemptReport['metrics'],
    ...(typeof row.layer === 'string' ? { layer: row.layer as Layer } : {}),
  };
}
