import { useEffect, useId, useState } from 'react';
import type { LoggedAttempt, MethodArgs, Outcome, TriageApi } from '../../../../contract';
import { WindowPicker } from '../../components/WindowPicker';
import { formatMs, formatTime } from '../../components/format';
import { describeError } from '../../api/call-failure';
import { useCall } from '../../hooks/useCall';
import { AttemptTimeline } from './AttemptTimeline';

const OUTCOMES = [
  { value: '', label: 'Any outcome' },
  { value: 'failed', label: 'Failed (timeout or error)' },
  { value: 'success', label: 'Success' },
  { value: 'timeout', label: 'Timeout' },
  { value: 'error', label: 'Error' },
  { value: 'aborted', label: 'Aborted' },
  { value: 'skipped', label: 'Skipped (prerequisite failed)' },
] as const;

type Filters = { sinceMs: number; targetId: string; probe: string; outcome: string };

function argsFor(filters: Filters): MethodArgs<'listAttempts'> {
  return {
    sinceMs: filters.sinceMs,
    limit: 100,
    ...(filters.targetId ? { targetId: filters.targetId } : {}),
    ...(filters.probe ? { probe: filters.probe } : {}),
    ...(filters.outcome === 'failed'
      ? { failedOnly: true }
      : filters.outcome
        ? { outcome: filters.outcome as Outcome }
        : {}),
  };
}

/** Every stored attempt, filterable; one opens its lifecycle timeline. */
export function AttemptsScreen({ api, refresh }: { api: TriageApi; refresh: unknown }) {
  const [filters, setFilters] = useState<Filters>({
    sinceMs: 86_400_000,
    targetId: '',
    probe: '',
    outcome: '',
  });
  const page = useCall(api, 'listAttempts', argsFor(filters), refresh);
  const [more, setMore] = useState<{ attempts: LoggedAttempt[]; hasMore: boolean } | null>(null);
  const [moreError, setMoreError] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const ids = { target: useId(), probe: useId(), outcome: useId() };

  useEffect(() => setMore(null), [page.data]);

  const attempts = [...(page.data?.attempts ?? []), ...(more?.attempts ?? [])];
  const hasMore = more ? more.hasMore : (page.data?.hasMore ?? false);
  const loadMore = async () => {
    const last = attempts.at(-1);
    if (!last) return;
    try {
      const next = await api.listAttempts({
        ...argsFor(filters),
        before: { startedAt: last.startedAt, id: last.id },
      });
      setMore({ attempts: [...(more?.attempts ?? []), ...next.attempts], hasMore: next.hasMore });
      setMoreError(null);
    } catch (error) {
      setMoreError(describeError(error));
    }
  };
  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));

  return (
    <>
      <form className="toolbar filters" aria-label="Filters" onSubmit={(event) => event.preventDefault()}>
        <WindowPicker value={filters.sinceMs} onChange={(sinceMs) => set({ sinceMs })} />
        <div className="field inline">
          <label htmlFor={ids.target}>Server</label>
          <select
            id={ids.target}
            value={filters.targetId}
            onChange={(e) => set({ targetId: e.target.value })}
          >
            <option value="">Any server</option>
            {page.data?.facets.targets.map((t) => (
              <option key={t.id} value={t.id}>
                {t.url === 'local:machine' ? 'this machine' : t.url}
              </option>
            ))}
          </select>
        </div>
        <div className="field inline">
          <label htmlFor={ids.probe}>Probe</label>
          <select id={ids.probe} value={filters.probe} onChange={(e) => set({ probe: e.target.value })}>
            <option value="">Any probe</option>
            {page.data?.facets.probes.map((probe) => (
              <option key={probe} value={probe}>
                {probe}
              </option>
            ))}
          </select>
        </div>
        <div className="field inline">
          <label htmlFor={ids.outcome}>Outcome</label>
          <select id={ids.outcome} value={filters.outcome} onChange={(e) => set({ outcome: e.target.value })}>
            {OUTCOMES.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
      </form>
      {page.error && (
        <p className="error" role="alert">
          Could not load the attempts: {page.error}
        </p>
      )}
      {open && <AttemptTimeline key={open} api={api} attemptId={open} onClose={() => setOpen(null)} />}
      <section className="card" aria-labelledby="attempts-title">
        <h2 id="attempts-title">Attempts</h2>
        <p className="visually-hidden" role="status">
          {page.loading ? 'Loading attempts' : `${attempts.length} attempts shown`}
        </p>
        {attempts.length === 0 && !page.loading ? (
          <p className="empty">No attempt matches these filters.</p>
        ) : (
          <div className="table-scroll">
            <table className="attempt-log">
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
                    <span className="visually-hidden">Timeline</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {attempts.map((a) => (
                  <tr
                    key={a.id}
                    data-testid="attempt-row"
                    data-outcome={a.outcome}
                    className={open === a.id ? 'selected' : undefined}
                  >
                    <td>{formatTime(a.startedAt)}</td>
                    <td className="mono">{a.targetUrl === 'local:machine' ? 'this machine' : a.targetUrl}</td>
                    <td>
                      {a.probe}
                      {a.attempt > 1 ? <span className="sub">attempt {a.attempt}</span> : null}
                    </td>
                    <td>
                      <span className={`status outcome-${a.outcome}`}>{a.outcome}</span>
                    </td>
                    <td>
                      {a.stage}
                      {a.errorClass && <span className="sub">{a.errorMessage ?? a.errorClass}</span>}
                    </td>
                    <td className="num">{formatMs(a.durationMs)}</td>
                    <td>
                      <button
                        type="button"
                        className="small"
                        onClick={() => setOpen(a.id)}
                        aria-label={`Timeline of ${a.probe} on ${a.targetUrl} at ${formatTime(a.startedAt)}`}
                      >
                        Timeline
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {moreError && (
          <p className="error" role="alert">
            {moreError}
          </p>
        )}
        {hasMore && (
          <button type="button" className="secondary" onClick={() => void loadMore()}>
            Load older attempts
          </button>
        )}
      </section>
    </>
  );
}
