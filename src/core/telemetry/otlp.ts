import { createHash, randomBytes } from 'node:crypto';
import type { TriageEvent } from '../../contract';

/**
 * A small OTLP/HTTP JSON trace exporter (no OpenTelemetry SDK): one span per diagnosis and one child
 * span per attempt, POSTed to `${OTEL_EXPORTER_OTLP_ENDPOINT}/v1/traces` when a diagnosis ends. An
 * export that fails or hangs drops its spans and is counted; it never slows or breaks a diagnosis.
 */
export interface OtlpOptions {
  /** Full traces URL (…/v1/traces). */
  url: string;
  headers?: Record<string, string>;
  serviceName?: string;
  version: string;
  timeoutMs?: number;
  onFailure?: (reason: string) => void;
  fetch?: typeof fetch;
}

/** The exporter's settings from the standard OTel variables, or null when no endpoint is set. */
export function otlpFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): Pick<OtlpOptions, 'url' | 'headers' | 'serviceName'> | null {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const url = traces || (base ? `${base.replace(/\/+$/, '')}/v1/traces` : '');
  if (!url) return null;
  const headers: Record<string, string> = {};
  for (const pair of (env.OTEL_EXPORTER_OTLP_HEADERS ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    try {
      headers[decodeURIComponent(pair.slice(0, at).trim())] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      // a malformed header is left out rather than sent half-decoded
    }
  }
  return { url, headers, serviceName: env.OTEL_SERVICE_NAME?.trim() || 'rtc-triage' };
}

type Attribute = { key: string; value: { stringValue: string } | { intValue: string } };

interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Attribute[];
  status: { code: number; message?: string };
}

const SPAN_KIND_INTERNAL = 1;
const STATUS_OK = 1;
const STATUS_ERROR = 2;
const MAX_QUEUE = 2048;
const MAX_OPEN = 4096;

const nanos = (iso: string) => `${BigInt(Date.parse(iso)) * 1_000_000n}`;
const attr = (key: string, value: unknown): Attribute =>
  typeof value === 'number' && Number.isInteger(value)
    ? { key, value: { intValue: String(value) } }
    : { key, value: { stringValue: String(value) } };

/** A run id that is a UUID is a trace id already; anything else is hashed into one. */
export function traceIdFor(runId: string): string {
  const hex = runId.replace(/-/g, '').toLowerCase();
  if (/^[0-9a-f]{32}$/.test(hex) && !/^0+$/.test(hex)) return hex;
  return createHash('sha256').update(runId).digest('hex').slice(0, 32);
}

export class OtlpSpanExporter {
  private readonly runs = new Map<string, { spanId: string; start: string }>();
  private readonly attempts = new Map<string, { start: string; data: Record<string, unknown> }>();
  private queue: Span[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  exported = 0;
  failures = 0;
  dropped = 0;

  constructor(private readonly options: OtlpOptions) {}

  observe(event: TriageEvent): void {
    const data = event.data ?? {};
    if (event.name === 'run.started') {
      if (this.runs.size >= MAX_OPEN) return;
      this.runs.set(event.runId, { spanId: randomBytes(8).toString('hex'), start: event.at });
    } else if (event.name === 'attempt.started' && event.attemptId) {
      if (this.attempts.size >= MAX_OPEN) return;
      this.attempts.set(event.attemptId, { start: event.at, data });
    } else if (event.name === 'attempt.finished' && event.attemptId) {
      const started = this.attempts.get(event.attemptId);
      this.attempts.delete(event.attemptId);
      if (started) this.push(this.attemptSpan(event, started));
    } else if (event.name === 'run.finished') {
      const run = this.runs.get(event.runId);
      this.runs.delete(event.runId);
      if (run) {
        this.push({
          traceId: traceIdFor(event.runId),
          spanId: run.spanId,
          name: 'diagnosis',
          kind: SPAN_KIND_INTERNAL,
          startTimeUnixNano: nanos(run.start),
          endTimeUnixNano: nanos(event.at),
          attributes: [attr('rtc_triage.run_id', event.runId), attr('rtc_triage.verdict', data.verdict)],
          status: { code: STATUS_OK },
        });
      }
      this.flush();
    }
  }

  private attemptSpan(event: TriageEvent, started: { start: string; data: Record<string, unknown> }): Span {
    const data = event.data ?? {};
    const outcome = String(data.outcome ?? 'unknown');
    const run = this.runs.get(event.runId);
    return {
      traceId: traceIdFor(event.runId),
      spanId: randomBytes(8).toString('hex'),
      ...(run ? { parentSpanId: run.spanId } : {}),
      name: `${String(data.probe ?? 'probe')} attempt`,
      kind: SPAN_KIND_INTERNAL,
      startTimeUnixNano: nanos(started.start),
      endTimeUnixNano: nanos(event.at),
      attributes: [
        attr('rtc_triage.probe', data.probe),
        attr('rtc_triage.target', event.targetId ?? ''),
        attr('rtc_triage.target_kind', data.kind ?? started.data.kind ?? ''),
        attr('rtc_triage.target_url', started.data.targetUrl ?? ''),
        attr('rtc_triage.outcome', outcome),
        attr('rtc_triage.correlation_id', event.correlationId ?? ''),
        attr('rtc_triage.run_id', event.runId),
        attr('rtc_triage.attempt_id', event.attemptId ?? ''),
        attr('rtc_triage.attempt', data.attempt ?? 1),
        ...(data.errorClass ? [attr('rtc_triage.error_class', data.errorClass)] : []),
      ],
      status:
        outcome === 'success'
          ? { code: STATUS_OK }
          : { code: STATUS_ERROR, message: String(data.errorClass ?? outcome) },
    };
  }

  private push(span: Span): void {
    this.queue.push(span);
    if (this.queue.length > MAX_QUEUE) {
      this.dropped += this.queue.length - MAX_QUEUE;
      this.queue.splice(0, this.queue.length - MAX_QUEUE);
    }
  }

  /** Sends what is queued; resolves when that export has ended, whichever way. */
  flush(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    const spans = this.queue;
    this.queue = [];
    const sending = this.send(spans).finally(() => this.inFlight.delete(sending));
    this.inFlight.add(sending);
    return sending;
  }

  /** Flushes and waits for every export in flight (each bounded by its timeout). */
  async close(): Promise<void> {
    void this.flush();
    await Promise.allSettled([...this.inFlight]);
    this.runs.clear();
    this.attempts.clear();
  }

  private async send(spans: Span[]): Promise<void> {
    const body = JSON.stringify({
      resourceSpans: [
        {
          resource: {
            attributes: [
              attr('service.name', this.options.serviceName ?? 'rtc-triage'),
              attr('service.version', this.options.version),
            ],
          },
          scopeSpans: [{ scope: { name: 'rtc-triage', version: this.options.version }, spans }],
        },
      ],
    });
    const doFetch = this.options.fetch ?? fetch;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs ?? 5000);
    try {
      const response = await doFetch(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.options.headers },
        body,
        signal: controller.signal,
      });
      // The body is not needed, but reading it lets the connection be reused or closed at once.
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) throw new Error(`the collector answered HTTP ${response.status}`);
      this.exported += spans.length;
    } catch (error) {
      this.failures++;
      const reason = controller.signal.aborted
        ? `no answer within ${this.options.timeoutMs ?? 5000} ms`
        : error instanceof Error
          ? error.message
          : String(error);
      this.options.onFailure?.(reason);
    } finally {
      clearTimeout(timer);
    }
  }
}
