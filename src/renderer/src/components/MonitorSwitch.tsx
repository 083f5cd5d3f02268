import { useCallback, useEffect, useId, useState } from 'react';
import type { MonitorAlert, MonitorStatus, TriageApi } from '../../../contract';
import { formatTime } from './format';

export type MonitorApi = Pick<TriageApi, 'monitorStatus' | 'setMonitor' | 'getSettings' | 'onEvent'>;

export const MONITOR_PERIODS: ReadonlyArray<readonly [number, string]> = [
  [60_000, '1 minute'],
  [5 * 60_000, '5 minutes'],
  [15 * 60_000, '15 minutes'],
  [60 * 60_000, '1 hour'],
];

const time = (iso: string | null) => (iso ? formatTime(iso) : '—');
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The desktop "monitor" switch: scheduled diagnoses on or off, their period, and the alert episodes
 * going on. Self-contained: it talks only to the contract it is given (IPC in Electron, HTTP under
 * `serve`: there is no `window.triage` in a browser, so it must be passed in) and refreshes itself on
 * the monitor's events. Alerts also arrive as desktop notifications (main process).
 */
export function MonitorSwitch({ api }: { api: MonitorApi }) {
  const [status, setStatus] = useState<MonitorStatus | null>(null);
  const [everyMs, setEveryMs] = useState<number>(MONITOR_PERIODS[0]?.[0] ?? 60_000);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const switchId = useId();
  const periodId = useId();

  const refresh = useCallback(() => {
    api.monitorStatus({}).then(
      (next) => {
        setStatus(next);
        if (next.enabled) setEveryMs(next.everyMs);
        // Off, the period offered is the saved schedule's (the switch and Settings are one setting):
        // switching on must not quietly replace the period chosen in Settings with the default.
        else
          api.getSettings({}).then(
            (settings) => setEveryMs(settings.schedule.everyMs),
            () => {},
          );
      },
      (e: unknown) => setError(message(e)),
    );
  }, [api]);

  useEffect(() => {
    refresh();
    return api.onEvent((event) => {
      if (event.name.startsWith('monitor.')) refresh();
    });
  }, [api, refresh]);

  const apply = (enabled: boolean, period: number) => {
    setPending(true);
    setError(null);
    api
      .setMonitor({ enabled, everyMs: period })
      .then(setStatus, (e: unknown) => setError(message(e)))
      .finally(() => setPending(false));
  };

  const enabled = status?.enabled ?? false;
  const periods = MONITOR_PERIODS.some(([ms]) => ms === everyMs)
    ? MONITOR_PERIODS
    : [...MONITOR_PERIODS, [everyMs, `${Math.round(everyMs / 1000)} seconds`] as const];
  const recovered = (status?.recent ?? []).filter((a) => a.state === 'recovered').slice(0, 3);

  return (
    <section className="monitor-switch" aria-label="Monitor">
      <div className="option">
        <input
          id={switchId}
          type="checkbox"
          role="switch"
          aria-checked={enabled}
          checked={enabled}
          disabled={pending || status === null}
          onChange={(event) => apply(event.target.checked, everyMs)}
        />
        <label htmlFor={switchId}>Monitor: run a diagnosis every</label>
        <select
          id={periodId}
          aria-label="Monitor period"
          value={everyMs}
          disabled={pending}
          onChange={(event) => {
            const period = Number(event.target.value);
            setEveryMs(period);
            if (enabled) apply(true, period);
          }}
        >
          {periods.map(([ms, label]) => (
            <option key={ms} value={ms}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <p className="monitor-state" aria-live="polite">
        {status === null
          ? 'Monitor state unknown.'
          : enabled
            ? `On: ${status.cycles} ${status.cycles === 1 ? 'diagnosis' : 'diagnoses'} so far; last at ${time(status.lastRunAt)}` +
              `${status.lastVerdict ? ` (${status.lastVerdict})` : ''}; next at ${time(status.nextRunAt)}.`
            : 'Off. When on, each outage raises one alert and one recovery notification.'}
      </p>
      {status && status.active.length > 0 && (
        <ul className="monitor-alerts" role="alert" aria-label="Alerts going on">
          {status.active.map((alert: MonitorAlert) => (
            <li key={alert.key}>
              <strong>{alert.title}</strong> since {time(alert.since)}. {alert.message}
            </li>
          ))}
        </ul>
      )}
      {recovered.length > 0 && (
        <ul className="monitor-recovered" aria-label="Recent recoveries">
          {recovered.map((alert) => (
            <li key={`${alert.key}-${alert.recoveredAt ?? ''}`}>
              {alert.title} at {time(alert.recoveredAt ?? null)}
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
