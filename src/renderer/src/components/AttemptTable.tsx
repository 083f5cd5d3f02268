import { useId, useMemo, useState } from 'react';
import type { AttemptReport, Report } from '../../../contract';
import { copyText } from './clipboard';
import { formatMs, formatTime, layerLabel } from './format';
import { Pager } from './Pager';
import { ATTEMPTS_PER_PAGE } from './paging';
import { Time } from './Time';

/** An attempt as any screen has it: a run's, the stored log's (with its URL and layer) or a bundle's. */
export type AttemptRow = Omit<AttemptReport, 'layer'> & {
  targetUrl?: string;
  layer?: string;
  runId?: string;
};

const displayUrl = (url: string) => (url === 'local:machine' ? 'this machine' : url);

interface TableProps {
  attempts: readonly AttemptRow[];
  /** What the table is, for screen readers. */
  caption: string;
  /** The server's URL of a row that has only its target id (a run's or a bundle's attempts). */
  urlOf?: (targetId: string) => string | undefined;
  /** Opens an attempt's timeline; the button is left out without it. */
  onOpen?: (attempt: AttemptRow) => void;
  openId?: string | null;
  /**
   * In-memory lists (a run, a bundle): the table filters by server, outcome and probe and pages
   * itself. The Attempts screen asks the engine for each filtered page instead.
   */
  browse?: boolean;
}

/**
 * The one attempt table: every screen that lists attempts (Overview's technical details, Attempts,
 * Bundles) shows them with these columns, the copy-as-JSON button and the same clipping of URLs.
 */
export function AttemptTable(props: TableProps | { report: Report }) {
  if ('report' in props) return <RunAttempts report={props.report} />;
  return props.browse ? <BrowsedAttempts {...props} /> : <AttemptRows {...props} />;
}

/** A run's attempts under a line about the run (the verdict card's technical details). */
function RunAttempts({ report }: { report: Report }) {
  const { cleanup } = report;
  const urls = useMemo(() => new Map(report.targets.map((t) => [t.id, t.url])), [report.targets]);
  return (
    <div className="details">
      <p className="details-meta">
        Run <span className="mono">{report.runId}</span> took {formatMs(report.durationMs)}. Resources opened{' '}
        {cleanup.opened}, released {cleanup.released}, leaked {cleanup.leaked}.
      </p>
      <AttemptTable
        attempts={report.attempts}
        caption="Every attempt of this run"
        urlOf={(id) => urls.get(id)}
        browse
      />
    </div>
  );
}

type Filter = { server: string; outcome: string; probe: string };

function BrowsedAttempts(props: TableProps) {
  const { attempts, urlOf } = props;
  const [filter, setFilter] = useState<Filter>({ server: '', outcome: '', probe: '' });
  const [page, setPage] = useState(0);
  const ids = { server: useId(), outcome: useId(), probe: useId() };
  const choices = useMemo(() => {
    const unique = (values: string[]) => [...new Set(values)].sort();
    return {
      server: unique(attempts.map((a) => a.targetId)),
      outcome: unique(attempts.map((a) => a.outcome)),
      probe: unique(attempts.map((a) => a.probe)),
    };
  }, [attempts]);
  const matching = attempts.filter(
    (a) =>
      (!filter.server || a.targetId === filter.server) &&
      (!filter.outcome || a.outcome === filter.outcome) &&
      (!filter.probe || a.probe === filter.probe),
  );
  const pages = Math.max(1, Math.ceil(matching.length / ATTEMPTS_PER_PAGE));
  const current = Math.min(page, pages - 1);
  const shown = matching.slice(current * ATTEMPTS_PER_PAGE, (current + 1) * ATTEMPTS_PER_PAGE);
  const set = (patch: Partial<Filter>) => {
    setFilter((f) => ({ ...f, ...patch }));
    setPage(0);
  };
  const serverName = (id: string) => displayUrl(urlFor(id, urlOf));
  return (
    <>
      {attempts.length > ATTEMPTS_PER_PAGE / 2 && (
        <div className="toolbar filters" role="group" aria-label="Filter the attempts">
          <div className="field inline">
            <label htmlFor={ids.server}>Server</label>
            <select id={ids.server} value={filter.server} onChange={(e) => set({ server: e.target.value })}>
              <option value="">Any server</option>
              {choices.server.map((id) => (
                <option key={id} value={id}>
                  {serverName(id)}
                </option>
              ))}
            </select>
          </div>
          <div className="field inline">
            <label htmlFor={ids.outcome}>Outcome</label>
            <select
              id={ids.outcome}
              value={filter.outcome}
              onChange={(e) => set({ outcome: e.target.value })}
            >
              <option value="">Any outcome</option>
              {choices.outcome.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
          </div>
          <div className="field inline">
            <label htmlFor={ids.probe}>Probe</label>
            <select id={ids.probe} value={filter.probe} onChange={(e) => set({ probe: e.target.value })}>
              <option value="">Any probe</option>
              {choices.probe.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </div>
        </div>
      )}
      {matching.length === 0 ? (
        <p className="empty">No attempt matches these filters.</p>
      ) : (
        <AttemptRows {...props} attempts={shown} />
      )}
      <Pager
        what="Attempts"
        from={current * ATTEMPTS_PER_PAGE + 1}
        to={current * ATTEMPTS_PER_PAGE + shown.length}
        total={matching.length}
        onNewer={current > 0 ? () => setPage(current - 1) : null}
        onOlder={current < pages - 1 ? () => setPage(current + 1) : null}
      />
    </>
  );
}

function urlFor(targetId: string, urlOf: TableProps['urlOf']): string {
  return urlOf?.(targetId) ?? targetId;
}

function AttemptRows({ attempts, caption, urlOf, onOpen, openId }: TableProps) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async (attempt: AttemptRow, name: string) => {
    try {
      await copyText(JSON.stringify(attempt, null, 2));
      setCopied(`Copied the ${attempt.probe} attempt on ${name} (${formatTime(attempt.startedAt)}) as JSON.`);
    } catch (error) {
      setCopied(`Could not copy: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  return (
    <>
      <p className="notice copy-notice" role="status" data-testid="copy-notice">
        {copied}
      </p>
      <div className="table-scroll">
        <table className={`attempt-table${onOpen ? ' with-timeline' : ''}`}>
          <caption className="visually-hidden">{caption}</caption>
          <colgroup>
            <col className="col-time" />
            <col className="col-server" />
            <col className="col-probe" />
            <col className="col-outcome" />
            <col className="col-stage" />
            <col className="col-duration" />
            <col className="col-actions" />
          </colgroup>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Server</th>
              <th scope="col">Probe</th>
              <th scope="col">Outcome</th>
              <th scope="col">Stage / error</th>
              <th scope="col" className="num">
                Duration
              </th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {attempts.map((a) => {
              const url = displayUrl(a.targetUrl ?? urlFor(a.targetId, urlOf));
              const error = a.errorClass ? (a.errorMessage ?? a.errorClass) : null;
              return (
                <tr
                  key={a.id}
                  data-testid="attempt-row"
                  data-outcome={a.outcome}
                  className={openId === a.id ? 'selected' : undefined}
                >
                  <td className="nowrap">
                    <Time iso={a.startedAt} />
                  </td>
                  <td>
                    <span className="clip mono" title={url} data-testid="clipped">
                      {url}
                    </span>
                  </td>
                  <td>
                    <span
                      className="clip"
                      title={a.layer ? `${a.probe} · ${layerLabel(a.layer)}` : a.probe}
                      data-testid="attempt-probe"
                      data-layer={a.layer}
                    >
                      {a.probe}
                    </span>
                    {a.attempt > 1 ? <span className="sub">attempt {a.attempt}</span> : null}
                  </td>
                  <td>
                    <span className={`status outcome-${a.outcome}`}>{a.outcome}</span>
                  </td>
                  <td>
                    <span className="clip" title={a.stage}>
                      {a.stage}
                    </span>
                    {error && (
                      <span className="clip sub" title={error} data-testid="clipped">
                        {error}
                      </span>
                    )}
                  </td>
                  <td className="num">{formatMs(a.durationMs)}</td>
                  <td className="row-actions">
                    <button
                      type="button"
                      className="small"
                      onClick={() => void copy(a, url)}
                      title="Copy this attempt as JSON"
                      aria-label={`Copy the ${a.probe} attempt on ${url} at ${formatTime(a.startedAt)} as JSON`}
                    >
                      Copy
                    </button>
                    {onOpen && (
                      <button
                        type="button"
                        className="small"
                        onClick={() => onOpen(a)}
                        aria-label={`Timeline of ${a.probe} on ${a.targetUrl ?? url} at ${formatTime(a.startedAt)}`}
                      >
                        Timeline
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}
