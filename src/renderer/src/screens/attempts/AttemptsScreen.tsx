import { useId, useState } from 'react';
import type { MethodArgs, Outcome, TriageApi } from '../../../../contract';
import { AttemptTable } from '../../components/AttemptTable';
import { ATTEMPTS_PER_PAGE } from '../../components/paging';
import { Pager } from '../../components/Pager';
import { WindowPicker } from '../../components/WindowPicker';
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

type Cursor = { startedAt: string; id: string };
type Filters = { sinceMs: number; targetId: string; probe: string; outcome: string };

function argsFor(filters: Filters): MethodArgs<'listAttempts'> {
  return {
    sinceMs: filters.sinceMs,
    limit: ATTEMPTS_PER_PAGE,
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
  // Newest first, a page at a time: each older page is asked for with the last row of the one before.
  const [cursors, setCursors] = useState<Cursor[]>([]);
  const cursor = cursors.at(-1);
  const page = useCall(
    api,
    'listAttempts',
    { ...argsFor(filters), ...(cursor ? { before: cursor } : {}) },
    refresh,
  );
  const [open, setOpen] = useState<string | null>(null);
  const ids = { target: useId(), probe: useId(), outcome: useId() };
  const attempts = page.data?.attempts ?? [];
  const last = attempts.at(-1);
  const first = cursors.length * ATTEMPTS_PER_PAGE + 1;
  const set = (patch: Partial<Filters>) => {
    setFilters((f) => ({ ...f, ...patch }));
    setCursors([]);
  };

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
          <AttemptTable
            attempts={attempts}
            caption="Stored attempts, newest first"
            onOpen={(a) => setOpen(a.id)}
            openId={open}
          />
        )}
        <Pager
          what="Attempts"
          from={first}
          to={first + attempts.length - 1}
          onNewer={cursors.length > 0 ? () => setCursors((c) => c.slice(0, -1)) : null}
          onOlder={
            page.data?.hasMore && last
              ? () => setCursors((c) => [...c, { startedAt: last.startedAt, id: last.id }])
              : null
          }
        />
      </section>
    </>
  );
}
