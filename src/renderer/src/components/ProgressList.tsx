import type { ProgressRow } from '../useDiagnosis';

function statusText(row: ProgressRow): string {
  if (row.status === 'running') return 'running…';
  const took = row.durationMs === null ? '' : ` in ${Math.round(row.durationMs)} ms`;
  return row.status === 'success'
    ? `passed${took}`
    : `${row.status}${row.errorClass ? ` (${row.errorClass})` : ''}${took}`;
}

/** Live attempts of the running diagnosis: one line per attempt, updated when it finishes. */
export function ProgressList({ rows }: { rows: ProgressRow[] }) {
  const finished = rows.filter((row) => row.status !== 'running').length;
  return (
    <section className="progress" aria-labelledby="progress-title">
      <h2 id="progress-title">Progress</h2>
      <p className="progress-summary" role="status" aria-live="polite">
        {rows.length === 0 ? 'Starting…' : `${finished} of ${rows.length} attempts finished`}
      </p>
      <ol className="progress-list">
        {rows.map((row) => (
          <li key={row.attemptId} className={`progress-row status-${row.status}`} data-testid="progress-row">
            <span className="progress-target">{row.targetUrl}</span>
            <span className="progress-probe">
              {row.probe}
              {row.attempt > 1 ? ` · attempt ${row.attempt}` : ''}
            </span>
            <span className="progress-status">{statusText(row)}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
