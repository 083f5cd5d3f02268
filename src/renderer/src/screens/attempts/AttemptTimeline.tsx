import { useEffect, useRef } from 'react';
import type { TriageApi } from '../../../../contract';
import { formatMs, layerLabel } from '../../components/format';
import { Time } from '../../components/Time';
import { useCall } from '../../hooks/useCall';

/** The signaled lifecycle the seed's telemetry names, in order; each is ticked when its event is there. */
const LIFECYCLE = [
  { label: 'offer sent', events: ['signal.offer.sent'] },
  { label: 'answer received', events: ['signal.answer.received'] },
  { label: 'connected', events: ['peer.connected', 'signal.server.connected', 'stun.binding.received'] },
  { label: 'teardown', events: ['signal.teardown.success', 'signal.teardown.failure'] },
] as const;

function summary(data: Record<string, unknown> | null): string {
  if (!data) return '';
  return Object.entries(data)
    .filter(([, value]) => value !== null && value !== undefined && typeof value !== 'object')
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(' ')
    .slice(0, 200);
}

/** One attempt from start to teardown: its correlation id, outcome, and every stored event. */
export function AttemptTimeline({
  api,
  attemptId,
  onClose,
}: {
  api: TriageApi;
  attemptId: string;
  onClose(): void;
}) {
  const timeline = useCall(api, 'attemptTimeline', { attemptId });
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headingRef.current?.focus(), [attemptId]);
  const data = timeline.data;
  const names = new Set(data?.events.map((e) => e.name));
  const signaled = data?.events.some((e) => e.name.startsWith('signal.')) ?? false;
  return (
    <section className="card timeline" aria-labelledby="timeline-title" data-testid="timeline">
      <div className="card-header">
        <h2 id="timeline-title" ref={headingRef} tabIndex={-1}>
          Attempt timeline
        </h2>
        <button type="button" className="small" onClick={onClose}>
          Close timeline
        </button>
      </div>
      {timeline.error && (
        <p className="error" role="alert">
          {timeline.error}
        </p>
      )}
      {data && (
        <>
          <dl className="facts">
            <dt>Correlation id</dt>
            <dd className="mono" data-testid="correlation-id">
              {data.attempt.correlationId}
            </dd>
            <dt>Server</dt>
            <dd className="mono">{data.attempt.targetUrl}</dd>
            <dt>Probe</dt>
            <dd>
              {data.attempt.probe} · attempt {data.attempt.attempt} ·{' '}
              <span data-testid="timeline-layer">{layerLabel(data.attempt.layer)}</span>
            </dd>
            <dt>Outcome</dt>
            <dd>
              <span className={`status outcome-${data.attempt.outcome}`}>{data.attempt.outcome}</span> at
              stage {data.attempt.stage} after {formatMs(data.attempt.durationMs)}
              {data.attempt.errorMessage ? ` — ${data.attempt.errorMessage}` : ''}
            </dd>
            <dt>Started</dt>
            <dd>
              <Time iso={data.attempt.startedAt} />
            </dd>
          </dl>
          {signaled && (
            <ol className="lifecycle" aria-label="Lifecycle">
              {LIFECYCLE.map((step) => {
                const reached = step.events.some((name) => names.has(name));
                return (
                  <li key={step.label} className={reached ? 'reached' : 'missed'}>
                    <span aria-hidden="true">{reached ? '✓' : '✗'}</span> {step.label}
                    <span className="visually-hidden">{reached ? ' (reached)' : ' (not reached)'}</span>
                  </li>
                );
              })}
            </ol>
          )}
          {data.events.length === 0 ? (
            <p className="empty">No events were stored for this attempt.</p>
          ) : (
            <ol className="events">
              {data.events.map((event, index) => (
                <li key={index} data-testid="timeline-event" data-name={event.name}>
                  <span className="offset">+{Math.round(event.offsetMs)} ms</span>
                  <span className="event-name mono">{event.name}</span>
                  <span className="event-data">{summary(event.data)}</span>
                </li>
              ))}
            </ol>
          )}
        </>
      )}
    </section>
  );
}
