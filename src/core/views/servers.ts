import { matrixOf, type Report, type ServerRow, type ServerStatus, type TargetSource } from '../../contract';
import { percentile } from '../analysis/target-status';
import type { ResolvedTarget } from '../probes/types';
import type { HistoryQueries } from '../store/queries';
import type { UiQueries } from '../store/ui-queries';

export interface ServerListEntry {
  target: ResolvedTarget;
  /** The editor's row for a configured target; null for the lab's. */
  configIndex: number | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The Servers screen: each target's status in the newest diagnosis, and from the stored attempts of
 * the window its RTT p50/p95, failure rate and, over all history, its last success.
 */
export function serverStatus(
  queries: { history: HistoryQueries; ui: UiQueries },
  entries: readonly ServerListEntry[],
  lastReport: Report | null,
  window: { from: number; to: number; source: TargetSource },
): ServerStatus {
  const reported = new Map((lastReport?.targets ?? []).map((t) => [t.id, t]));
  const servers = entries.map(({ target, configIndex }): ServerRow => {
    const counts = queries.ui.targetCounts(target.id, target.kind, window.from, window.to);
    const rtts = queries.ui.targetRtts(target.id, window.from, window.to).sort((a, b) => a - b);
    const lastSuccess = queries.history.edge('lastSuccess', target.id, 0, window.to);
    const inReport = reported.get(target.id);
    // A report entry only counts while it describes the same server (an edited URL is a new server).
    const current = inReport && inReport.url === target.url ? inReport : undefined;
    return {
      id: target.id,
      kind: target.kind,
      url: target.url,
      label: 'label' in target && target.label !== undefined ? target.label : null,
      layer: target.layer,
      configIndex,
      status: current?.status ?? 'untested',
      statusAt: current && lastReport ? lastReport.finishedAt : null,
      rttMs: rtts.length ? { p50: percentile(rtts, 50), p95: percentile(rtts, 95) } : null,
      lastSuccessAt: lastSuccess === null ? null : iso(lastSuccess),
      attempts: counts.attempts,
      failures: counts.failures,
      failureRate: counts.attempts > 0 ? counts.failures / counts.attempts : null,
    };
  });
  // the newest diagnosis's rows, for the servers still listed with the same URL
  const listed = new Set(entries.map(({ target }) => `${target.id}\u0000${target.url}`));
  const matrix = lastReport
    ? matrixOf(lastReport.targets, lastReport.attempts).filter((row) =>
        listed.has(`${row.targetId}\u0000${row.url}`),
      )
    : [];
  return { since: iso(window.from), until: iso(window.to), source: window.source, servers, matrix };
}
