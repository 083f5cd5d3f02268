import type { Database } from 'better-sqlite3';
import type { BundleAttempt, BundleEvent, BundleRun, BundleTarget } from '../../contract';
import { attemptFromRow } from '../store/history';

const iso = (ms: unknown) => new Date(Number(ms)).toISOString();

/**
 * The rows of the exported window, read straight from the history (read-only statements): runs that
 * started in the window or own an attempt in it, those attempts, their events, and the targets they name.
 */
export class WindowRows {
  private readonly runsStatement;
  private readonly attemptsStatement;
  private readonly eventsStatement;
  private readonly targetsStatement;
  private readonly countsStatement;

  constructor(
    db: Database,
    private readonly since: number,
  ) {
    const runIds = `SELECT id FROM runs WHERE started_at >= @since
      UNION SELECT run_id FROM attempts WHERE started_at >= @since`;
    this.runsStatement = db.prepare(
      `SELECT id, started_at, finished_at, source, verdict_kind FROM runs WHERE id IN (${runIds})
       ORDER BY started_at, id`,
    );
    this.attemptsStatement = db.prepare(
      `SELECT id, run_id, correlation_id, probe, target_id, attempt, outcome, stage, error_class, error_message,
         started_at, duration_ms, metrics_json FROM attempts WHERE started_at >= @since ORDER BY started_at, id`,
    );
    this.eventsStatement = db.prepare(
      `SELECT events.id, events.attempt_id, events.name, events.at, events.data_json FROM events
       JOIN attempts ON attempts.id = events.attempt_id WHERE attempts.started_at >= @since ORDER BY events.id`,
    );
    this.targetsStatement = db.prepare(
      `SELECT id, kind, url, layer, first_seen, last_seen FROM targets
       WHERE last_seen >= @since OR id IN (SELECT target_id FROM attempts WHERE started_at >= @since) ORDER BY id`,
    );
    this.countsStatement = db.prepare(
      `SELECT (SELECT count(*) FROM (${runIds})) AS runs,
         (SELECT count(*) FROM targets WHERE last_seen >= @since
            OR id IN (SELECT target_id FROM attempts WHERE started_at >= @since)) AS targets,
         (SELECT count(*) FROM attempts WHERE started_at >= @since) AS attempts,
         (SELECT count(*) FROM events JOIN attempts ON attempts.id = events.attempt_id
            WHERE attempts.started_at >= @since) AS events`,
    );
  }

  counts(): { runs: number; targets: number; attempts: number; events: number } {
    return this.countsStatement.get({ since: this.since }) as {
      runs: number;
      targets: number;
      attempts: number;
      events: number;
    };
  }

  *runs(): Generator<BundleRun> {
    for (const row of this.runsStatement.iterate({ since: this.since }) as Iterable<
      Record<string, unknown>
    >) {
      yield {
        id: String(row.id),
        startedAt: iso(row.started_at),
        finishedAt: row.finished_at === null ? null : iso(row.finished_at),
        source: String(row.source),
        verdictKind: (row.verdict_kind as string | null) ?? null,
      };
    }
  }

  *targets(): Generator<BundleTarget> {
    for (const row of this.targetsStatement.iterate({ since: this.since }) as Iterable<
      Record<string, unknown>
    >) {
      yield {
        id: String(row.id),
        kind: String(row.kind),
        url: String(row.url),
        layer: (row.layer as string | null) ?? null,
        firstSeen: iso(row.first_seen),
        lastSeen: iso(row.last_seen),
      };
    }
  }

  *attempts(): Generator<BundleAttempt> {
    for (const row of this.attemptsStatement.iterate({ since: this.since }) as Iterable<
      Record<string, unknown>
    >) {
      yield { ...attemptFromRow(row), runId: String(row.run_id) };
    }
  }

  *events(): Generator<BundleEvent> {
    for (const row of this.eventsStatement.iterate({ since: this.since }) as Iterable<
      Record<string, unknown>
    >) {
      yield {
        id: Number(row.id),
        attemptId: String(row.attempt_id),
        name: String(row.name),
        at: iso(row.at),
        data: row.data_json === null ? null : (JSON.parse(String(row.data_json)) as Record<string, unknown>),
      };
    }
  }
}
