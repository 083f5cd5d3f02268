import type { Database, Statement } from 'better-sqlite3';
import { ReportSchema, type AttemptReport, type Report, type TriageEvent } from '../../contract';
import type { ResolvedTarget } from '../probes/types';
import { closeDatabase, openDatabase, type OpenOptions } from './database';

/** Attempts and runs, written as they happen so nothing is lost when a run is cut short. */
export class HistoryStore {
  private readonly statements: {
    insertRun: Statement;
    finishRun: Statement;
    upsertTarget: Statement;
    insertAttempt: Statement;
    insertEvent: Statement;
    lastReport: Statement;
    attemptsSince: Statement;
  };

  private constructor(private readonly db: Database) {
    this.statements = {
      insertRun: db.prepare('INSERT INTO runs (id, started_at, source) VALUES (?, ?, ?)'),
      finishRun: db.prepare(
        'UPDATE runs SET finished_at = ?, verdict_kind = ?, report_json = ? WHERE id = ?',
      ),
      upsertTarget: db.prepare(
        `INSERT INTO targets (id, kind, url, first_seen, last_seen) VALUES (@id, @kind, @url, @now, @now)
         ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, url = excluded.url, last_seen = excluded.last_seen`,
      ),
      insertAttempt: db.prepare(
        `INSERT INTO attempts (id, run_id, target_id, correlation_id, probe, attempt, outcome, stage, error_class,
           error_message, started_at, duration_ms, metrics_json)
         VALUES (@id, @runId, @targetId, @correlationId, @probe, @attempt, @outcome, @stage, @errorClass,
           @errorMessage, @startedAt, @durationMs, @metricsJson)`,
      ),
      insertEvent: db.prepare('INSERT INTO events (attempt_id, name, at, data_json) VALUES (?, ?, ?, ?)'),
      lastReport: db.prepare(
        'SELECT report_json FROM runs WHERE report_json IS NOT NULL ORDER BY started_at DESC LIMIT 1',
      ),
      attemptsSince: db.prepare(
        `SELECT id, correlation_id, probe, target_id, attempt, outcome, stage, error_class, error_message, started_at,
           duration_ms, metrics_json FROM attempts WHERE started_at >= ? ORDER BY started_at`,
      ),
    };
  }

  static open(file: string, options: OpenOptions = {}): HistoryStore {
    return new HistoryStore(openDatabase(file, options));
  }

  get database(): Database {
    return this.db;
  }

  beginRun(runId: string, startedAt: Date, source: string, targets: ReadonlyArray<ResolvedTarget>): void {
    const now = startedAt.getTime();
    this.db.transaction(() => {
      this.statements.insertRun.run(runId, now, source);
      for (const target of targets)
        this.statements.upsertTarget.run({ id: target.id, kind: target.kind, url: target.url, now });
    })();
  }

  /** One transaction per attempt: once this returns, the attempt and its events are on disk. */
  recordAttempt(runId: string, attempt: AttemptReport, events: ReadonlyArray<TriageEvent>): void {
    this.db.transaction(() => {
      this.statements.insertAttempt.run({
        id: attempt.id,
        runId,
        targetId: attempt.targetId,
        correlationId: attempt.correlationId,
        probe: attempt.probe,
        attempt: attempt.attempt,
        outcome: attempt.outcome,
        stage: attempt.stage,
        errorClass: attempt.errorClass,
        errorMessage: attempt.errorMessage,
        startedAt: Date.parse(attempt.startedAt),
        durationMs: attempt.durationMs,
        metricsJson: JSON.stringify(attempt.metrics),
      });
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
    return rows.map((row) => ({
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
    }));
  }

  close(): void {
    closeDatabase(this.db);
  }
}
