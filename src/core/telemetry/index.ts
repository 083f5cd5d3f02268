import type { FeatureFlags, TriageEvent } from '../../contract';
import { errorMessage } from '../errors';
import { RotatingLogFile } from './log-file';
import { createLogger, logEvent, logLevelFrom, type Logger } from './logger';
import { TriageMetrics } from './metrics';
import { OtlpSpanExporter, otlpFromEnv } from './otlp';

export { METRIC_NAMES, TriageMetrics } from './metrics';
export { startMetricsServer, DEFAULT_METRICS_HOST, type MetricsServer } from './metrics-server';
export { createLogger, logEvent, type Logger } from './logger';
export { readRecentLogs, logFiles, LOG_FILE_NAME, RotatingLogFile } from './log-file';
export { OtlpSpanExporter, otlpFromEnv } from './otlp';

export interface TelemetryOptions {
  face: string;
  version: string;
  flags: FeatureFlags;
  /** Folder of the JSON log file; null: no log file. */
  logDir: string | null;
  logFile?: { maxBytes?: number; keep?: number };
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
}

/**
 * The seed's telemetry, behind `flags.telemetry`: a structured JSON log file (pino, size-capped),
 * Prometheus metrics and, when OTEL_EXPORTER_OTLP_ENDPOINT is set, OTLP spans. It only listens to the
 * engine's event stream; a failure in any part of it is swallowed and noted, never passed to a diagnosis.
 */
export class Telemetry {
  readonly metrics: TriageMetrics | null = null;
  readonly logger: Logger | null = null;
  readonly otlp: OtlpSpanExporter | null = null;
  private readonly logFile: RotatingLogFile | null = null;
  /** What could not be set up (e.g. an unwritable log folder): the rest still works. */
  readonly problems: string[] = [];
  private closed = false;

  constructor(readonly options: TelemetryOptions) {
    if (!options.flags.telemetry) return;
    const env = options.env ?? process.env;
    this.metrics = new TriageMetrics({ version: options.version, face: options.face });
    if (options.logDir) {
      try {
        this.logFile = new RotatingLogFile({ dir: options.logDir, ...options.logFile });
        this.logger = createLogger(
          {
            face: options.face,
            version: options.version,
            env: env.RTC_TRIAGE_ENV?.trim() || 'local',
            flags: options.flags,
            level: logLevelFrom(env),
          },
          this.logFile,
        );
      } catch (error) {
        this.problems.push(`no log file in ${options.logDir}: ${errorMessage(error)}`);
      }
    }
    const otlp = otlpFromEnv(env);
    if (otlp) {
      let warned = false;
      this.otlp = new OtlpSpanExporter({
        ...otlp,
        version: options.version,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        onFailure: (reason) => {
          this.metrics?.otlpFailures.inc();
          // One line per process is enough to notice; every failure is counted in the metric.
          if (!warned) this.logger?.warn({ event: 'telemetry.otlp.failed', url: otlp.url, reason });
          warned = true;
        },
      });
    }
  }

  get enabled(): boolean {
    return this.options.flags.telemetry;
  }

  get logPath(): string | null {
    return this.logFile?.path ?? null;
  }

  observe(event: TriageEvent): void {
    if (this.closed) return;
    for (const sink of [this.metrics, this.otlp]) {
      try {
        sink?.observe(event);
      } catch (error) {
        this.problems.push(errorMessage(error));
        if (this.problems.length > 20) this.problems.splice(0, this.problems.length - 20);
      }
    }
    if (this.logger) {
      try {
        logEvent(this.logger, event);
      } catch {
        // a log line that cannot be written is lost; the diagnosis goes on
      }
    }
  }

  /** Sends queued spans now (a CLI about to exit). */
  async flush(): Promise<void> {
    await this.otlp?.flush();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.otlp?.close();
    this.logFile?.close();
  }
}
