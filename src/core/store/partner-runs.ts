import type { HistoryStore } from './history';

/**
 * Closes a partner test's run. Its attempts are stored like any others (with the correlation id
 * both testers share); the run keeps no report (`report_json` stays null: a partner result is not a
 * diagnosis report, and `lastReport` must keep answering with the newest diagnosis).
 */
export function finishPartnerRun(
  store: HistoryStore,
  runId: string,
  finishedAt: Date,
  verdictKind: string | null,
): void {
  store.database
    .prepare('UPDATE runs SET finished_at = ?, verdict_kind = ? WHERE id = ?')
    .run(finishedAt.getTime(), verdictKind, runId);
}
