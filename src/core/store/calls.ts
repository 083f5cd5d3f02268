import type { Database, Statement } from 'better-sqlite3';
import { CallSchema, type Call, type CallSummary } from '../../contract';

/**
 * Imported calls (migration 005). A row whose JSON no longer matches the schema (written by a newer
 * version, edited by hand) is skipped when listed and reads as absent, never fatal.
 */
export class CallStore {
  private readonly statements: {
    insert: Statement;
    get: Statement;
    list: Statement;
    since: Statement;
    reproduced: Statement;
  };

  constructor(db: Database) {
    this.statements = {
      insert: db.prepare(
        `INSERT INTO calls (id, imported_at, format, source, outcome, call_json, reproduced_run)
         VALUES (?, ?, ?, ?, ?, ?, NULL)`,
      ),
      get: db.prepare('SELECT call_json, reproduced_run FROM calls WHERE id = ?'),
      list: db.prepare(
        'SELECT call_json, reproduced_run FROM calls ORDER BY imported_at DESC, id DESC LIMIT ?',
      ),
      since: db.prepare(
        'SELECT call_json, reproduced_run FROM calls WHERE imported_at >= ? ORDER BY imported_at, id',
      ),
      reproduced: db.prepare('UPDATE calls SET reproduced_run = ? WHERE id = ?'),
    };
  }

  /** One transaction: once this returns, the call is on disk. */
  insert(call: Call): void {
    this.statements.insert.run(
      call.id,
      Date.parse(call.importedAt),
      call.format,
      call.source,
      call.outcome,
      JSON.stringify({ ...call, reproducedRunId: null }),
    );
  }

  get(id: string): Call | null {
    return fromRow(this.statements.get.get(id));
  }

  /** Newest first. */
  list(limit = 200): CallSummary[] {
    return (this.statements.list.all(limit) as unknown[]).flatMap((row) => {
      const call = fromRow(row);
      return call ? [summaryOf(call)] : [];
    });
  }

  /** Calls imported since `since` (epoch ms), oldest first: what a bundle of that window carries. */
  *importedSince(since: number): Generator<Call> {
    for (const row of this.statements.since.iterate(since)) {
      const call = fromRow(row);
      if (call) yield call;
    }
  }

  setReproduction(callId: string, runId: string): void {
    this.statements.reproduced.run(runId, callId);
  }
}

function fromRow(row: unknown): Call | null {
  if (!row) return null;
  const { call_json: json, reproduced_run: run } = row as {
    call_json: string;
    reproduced_run: string | null;
  };
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  const parsed = CallSchema.safeParse(value);
  return parsed.success ? { ...parsed.data, reproducedRunId: run } : null;
}

export function summaryOf(call: Call): CallSummary {
  return {
    id: call.id,
    format: call.format,
    source: call.source,
    importedAt: call.importedAt,
    startedAt: call.startedAt,
    outcome: call.outcome,
    reproducedRunId: call.reproducedRunId,
    observations: call.observations.length,
    peerConnections: call.peerConnections.length,
  };
}
