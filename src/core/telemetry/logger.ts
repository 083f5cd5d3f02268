import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import type { FeatureFlags, TriageEvent } from '../../contract';

export type { Logger };

export interface LogContext {
  /** Which face writes: cli, desktop, serve, monitor. */
  face: string;
  version: string;
  /** Deployment environment for log pipelines (RTC_TRIAGE_ENV; default `local`). */
  env?: string;
  flags?: FeatureFlags;
  /** Lowest level written (RTC_TRIAGE_LOG_LEVEL; default `info`). */
  level?: string;
}

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export function logLevelFrom(env: NodeJS.ProcessEnv = process.env): string {
  const wanted = env.RTC_TRIAGE_LOG_LEVEL?.trim().toLowerCase();
  return wanted && LEVELS.has(wanted) ? wanted : 'info';
}

/**
 * A pino logger whose every line carries the app, version, face, environment and feature flags (the
 * seed's structured-logging schema). No host name: the lines go into support bundles.
 */
export function createLogger(context: LogContext, destination: DestinationStream): Logger {
  return pino(
    {
      level: context.level ?? 'info',
      base: {
        app: 'rtc-triage',
        version: context.version,
        face: context.face,
        env: context.env ?? 'local',
        pid: process.pid,
        ...(context.flags ? { flags: context.flags } : {}),
      },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/**
 * How loud each engine event is. A finished attempt is `info` (`warn` when it failed), a diagnosis
 * start and end are `info`; the steps inside an attempt (bindings sent, candidates) are `debug`.
 */
export function eventLevel(event: TriageEvent): Level {
  switch (event.name) {
    case 'attempt.finished': {
      const outcome = event.data?.outcome;
      return outcome === 'success' || outcome === 'aborted' || outcome === 'skipped' ? 'info' : 'warn';
    }
    case 'monitor.alert':
    case 'chaos.fault.injected':
    case 'signal.teardown.failure':
      return 'warn';
    case 'run.started':
    case 'run.finished':
    case 'attempt.retry':
    case 'monitor.started':
    case 'monitor.stopped':
    case 'monitor.cycle':
    case 'monitor.recovered':
      return 'info';
    default:
      return 'debug';
  }
}

/** One log line per event: the ids that tie it to its run and attempt, then the event's own data. */
export function logEvent(logger: Logger, event: TriageEvent): void {
  const level = eventLevel(event);
  if (!logger.isLevelEnabled(level)) return;
  logger[level](
    {
      event: event.name,
      at: event.at,
      runId: event.runId,
      ...(event.correlationId ? { correlationId: event.correlationId } : {}),
      ...(event.attemptId ? { attemptId: event.attemptId } : {}),
      ...(event.targetId ? { targetId: event.targetId } : {}),
      ...(event.data ? { data: event.data } : {}),
    },
    messageFor(event),
  );
}

function messageFor(event: TriageEvent): string {
  const data = event.data ?? {};
  switch (event.name) {
    case 'attempt.finished':
      return `${String(data.probe)} → ${event.targetId ?? '?'}: ${String(data.outcome)}${data.errorClass ? ` (${String(data.errorClass)})` : ''}`;
    case 'run.finished':
      return `diagnosis finished: ${String(data.verdict)}`;
    case 'monitor.alert':
    case 'monitor.recovered':
      return `${event.name === 'monitor.alert' ? 'ALERT' : 'RECOVERED'}: ${String(data.title ?? data.key)}`;
    default:
      return event.name;
  }
}
