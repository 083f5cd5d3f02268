import { useState } from 'react';
import type { TriageApi } from '../../../../contract';
import { PatternList } from '../../components/PatternList';
import { WindowPicker } from '../../components/WindowPicker';
import { formatPercent } from '../../components/format';
import { TextWithTimes } from '../../components/Time';
import { useCall } from '../../hooks/useCall';
import { FailureHeatmap } from './FailureHeatmap';
import { SeriesChart } from './SeriesChart';

const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** The history: its verdict and patterns, the failure heatmap, and each server over time. */
export function HistoryScreen({ api, refresh }: { api: TriageApi; refresh: unknown }) {
  const [sinceMs, setSinceMs] = useState(7 * 86_400_000);
  const history = useCall(api, 'history', { sinceMs, timeZone }, refresh);
  const charts = useCall(api, 'historyCharts', { sinceMs, timeZone }, refresh);
  const error = history.error ?? charts.error;
  const report = history.data;
  return (
    <>
      <div className="toolbar">
        <WindowPicker value={sinceMs} onChange={setSinceMs} />
        {report && (
          <p className="toolbar-text" data-testid="history-totals">
            {report.attempts} attempts, {report.failures} failed
            {report.attempts ? ` (${formatPercent(report.failures / report.attempts)})` : ''}
          </p>
        )}
      </div>
      {error && (
        <p className="error" role="alert">
          Could not load the history: {error}
        </p>
      )}
      {report && (
        <section
          className="card verdict-summary"
          aria-labelledby="history-verdict"
          data-kind={report.verdict.kind}
        >
          <h2 id="history-verdict">
            <TextWithTimes text={report.verdict.title} />
          </h2>
          <p>
            <TextWithTimes text={report.verdict.message} />
          </p>
          {report.note && (
            <p className="hint" data-testid="history-verdict-note">
              <TextWithTimes text={report.note} />
            </p>
          )}
          <p>
            <strong>What to do: </strong>
            {report.verdict.action}
          </p>
        </section>
      )}
      <section className="card" aria-labelledby="patterns-title">
        <h2 id="patterns-title">Patterns</h2>
        {report ? (
          <PatternList
            patterns={report.patterns}
            empty="No outage, recurring window or flapping in this window."
          />
        ) : (
          <p className="empty">Loading…</p>
        )}
      </section>
      <section className="card" aria-labelledby="heatmap-title">
        <h2 id="heatmap-title">Failures by hour of day</h2>
        {charts.data ? (
          <FailureHeatmap heatmap={charts.data.heatmap} timeZone={charts.data.timeZone} />
        ) : (
          <p className="empty">Loading…</p>
        )}
      </section>
      <section className="card" aria-labelledby="series-title">
        <h2 id="series-title">Servers over time</h2>
        {charts.data && charts.data.series.length === 0 && (
          <p className="empty">No attempts in this window.</p>
        )}
        {charts.data?.series.map((series) => (
          <SeriesChart key={series.targetId} series={series} />
        ))}
      </section>
    </>
  );
}
