import { attemptRan, pathQualityOf, type Report, type TriageEvent } from '../contract';
import { formatMatrix } from './matrix-format';
import { qualityLines } from './quality-format';

const STATUS_MARK: Record<string, string> = {
  up: 'up',
  degraded: 'DEGRADED',
  down: 'DOWN',
  untested: 'untested',
};

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** The human-readable report: verdict first, then one line per target. */
export function formatReport(report: Report): string {
  const v = report.verdict;
  const lines: string[] = [];
  lines.push(`${v.title}  [${v.kind}, confidence ${Math.round(v.confidence * 100)}%]`);
  lines.push('');
  lines.push(v.message);
  lines.push(`What to do: ${v.action}`);
  lines.push(`Local: ${v.local}   Cross-network: ${v.crossNetwork}`);
  lines.push('');
  const rows = report.targets.map((t) => {
    const mine = report.attempts.filter((a) => a.targetId === t.id);
    const last = mine.filter(attemptRan).at(-1);
    const rtt = t.rttMs ? `${t.rttMs.p50} ms (p95 ${t.rttMs.p95})` : '-';
    const why = last && last.outcome !== 'success' ? `${last.errorClass}: ${last.errorMessage}` : '';
    return [t.layer, t.id, STATUS_MARK[t.status] ?? t.status, rtt, `${mine.length}`, why];
  });
  const header = ['layer', 'target', 'status', 'rtt', 'attempts', 'last error'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  widths[widths.length - 1] = 0;
  lines.push(
    header
      .map((h, i) => pad(h, widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  for (const row of rows)
    lines.push(
      row
        .map((c, i) => pad(c, widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    );
  lines.push('');
  // a report stored before the quality figures existed has none: derived from its attempts
  const quality = qualityLines(report.quality ?? pathQualityOf(report.attempts));
  if (quality.length > 0) lines.push(...quality, '');
  const matrix = formatMatrix(report.matrix);
  if (matrix.length > 0) lines.push(...matrix, '');
  const c = report.cleanup;
  lines.push(
    `${report.attempts.length} attempts in ${(report.durationMs / 1000).toFixed(1)} s; resources opened ${c.opened}, released ${c.released}, leaked ${c.leaked}; run ${report.runId}`,
  );
  return lines.join('\n');
}

/** One progress line per finished attempt, for stderr while a diagnosis runs. */
export function progressLine(event: TriageEvent): string | null {
  if (event.name !== 'attempt.finished') return null;
  const data = event.data ?? {};
  const outcome = String(data.outcome);
  const mark = outcome === 'success' ? 'ok  ' : outcome === 'skipped' ? 'skip' : 'FAIL';
  const probe = `${String(data.probe ?? '')}${typeof data.path === 'string' ? ` (${data.path})` : ''}`;
  const attempt = typeof data.attempt === 'number' && data.attempt > 1 ? `, try ${data.attempt}` : '';
  const detail =
    outcome === 'success'
      ? `${String(data.durationMs)} ms`
      : outcome === 'skipped'
        ? `not run (${String(data.stage)})`
        : String(data.errorClass);
  return `  ${mark} ${probe} → ${event.targetId ?? ''}: ${detail}${attempt}`;
}
