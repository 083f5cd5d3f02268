import type { AttemptPage, AttemptTimeline, LoggedAttempt, Layer, Outcome } from '../../contract';
import { TriageError } from '../errors';
import { PROBES } from '../probes/registry';
import { attemptFromRow } from '../store/history';
import type { LoggedAttemptRow, UiQueries } from '../store/ui-queries';

export interface AttemptLogOptions {
  from: number;
  targetId?: string;
  probe?: string;
  outcome?: Outcome;
  failedOnly?: boolean;
  runId?: string;
  limit?: number;
  before?: { startedAt: string; id: string };
}

const DEFAULT_PAGE = 100;

function logged(row: LoggedAttemptRow): LoggedAttempt {
  return {
    ...attemptFromRow(row),
    runId: String(row.run_id),
    layer: row.layer as Layer,
    targetUrl: String(row.target_url),
    targetKind: String(row.target_kind),
  };
}

/** The Attempts screen's log: newest first, filtered, one page at a time. */
export function attemptLog(queries: UiQueries, options: AttemptLogOptions): AttemptPage {
  const limit = options.limit ?? DEFAULT_PAGE;
  const rows = queries.attemptLog({
    from: options.from,
    limit,
    ...(options.targetId !== undefined ? { targetId: options.targetId } : {}),
    ...(options.probe !== undefined ? { probe: options.probe } : {}),
    ...(options.outcome !== undefined ? { outcome: options.outcome } : {}),
    ...(options.failedOnly ? { failedOnly: true } : {}),
    ...(options.runId !== undefined ? { runId: options.runId } : {}),
    ...(options.before
      ? { before: { startedAt: Date.parse(options.before.startedAt), id: options.before.id } }
      : {}),
  });
  return {
    attempts: rows.slice(0, limit).map(logged),
    hasMore: rows.length > limit,
    facets: {
      targets: queries.targetsSeenSince(options.from),
      probes: [...new Set(PROBES.map((probe) => probe.name))].sort(),
    },
  };
}

/** One attempt and its events in order: the lifecycle from offer to teardown, with its correlation id. */
export function attemptTimeline(queries: UiQueries, attemptId: string): AttemptTimeline {
  const row = queries.attemptById(attemptId);
  if (!row) {
    throw new TriageError('NOT_FOUND', `attemptId: no attempt "${attemptId}" in the history`, {
      field: 'attemptId',
    });
  }
  const attempt = logged(row);
  const started = Date.parse(attempt.startedAt);
  return {
    attempt,
    events: queries.eventsOf(attemptId).map((event) => ({
      name: event.name,
      at: new Date(event.at).toISOString(),
      offsetMs: event.at - started,
      data: parseData(event.data_json),
    })),
  };
}

function parseData(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : { value };
  } catch {
    return null;
  }
}
