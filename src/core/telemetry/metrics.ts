import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { VERDICT_KINDS, type MonitorStatus, type TriageEvent } from '../../contract';
import { DIAGNOSIS_FAILED_KEY, LEAKED_KEY, OFFLINE_KEY, targetKey } from '../monitor/conditions';
import { openResourcesInProcess } from '../ledger/ledger';

/**
 * Every metric RTC Triage exports on `/metrics`, fed only by the engine's event stream (the same
 * events the log and the UI get). Names: `rtc_triage_*`, plus the seed's two GUN signaling names.
 * Labels stay bounded: probe names and target ids come from the config, never from the network.
 */
export const METRIC_NAMES = {
  buildInfo: 'rtc_triage_build_info',
  attempts: 'rtc_triage_attempts_total',
  attemptDuration: 'rtc_triage_attempt_duration_seconds',
  rtt: 'rtc_triage_rtt_seconds',
  retries: 'rtc_triage_retries_total',
  gunRetries: 'gun_signal_retry_total',
  gunCleanup: 'gun_signal_cleanup_duration_seconds',
  cleanup: 'rtc_triage_cleanup_duration_seconds',
  events: 'rtc_triage_events_total',
  chaosFaults: 'rtc_triage_chaos_faults_total',
  ledgerOpen: 'rtc_triage_ledger_open_resources',
  ledgerResources: 'rtc_triage_ledger_resources_total',
  diagnoses: 'rtc_triage_diagnoses_total',
  diagnosisDuration: 'rtc_triage_diagnosis_duration_seconds',
  inProgress: 'rtc_triage_diagnosis_in_progress',
  startedAt: 'rtc_triage_diagnosis_started_timestamp_seconds',
  lastDiagnosis: 'rtc_triage_last_diagnosis_timestamp_seconds',
  lastVerdict: 'rtc_triage_last_verdict',
  targetUp: 'rtc_triage_target_up',
  targetInfo: 'rtc_triage_target_info',
  monitorEnabled: 'rtc_triage_monitor_enabled',
  monitorInterval: 'rtc_triage_monitor_interval_seconds',
  monitorCycles: 'rtc_triage_monitor_cycles_total',
  alerts: 'rtc_triage_alerts_total',
  recoveries: 'rtc_triage_alert_recoveries_total',
  alertActive: 'rtc_triage_alert_active',
  otlpFailures: 'rtc_triage_otlp_export_failures_total',
} as const;

const RTT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const CLEANUP_BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1];
const RUN_BUCKETS = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const STATUS_VALUE: Record<string, number> = { up: 1, degraded: 0.5, down: 0 };
/** Event names are code-defined; anything that does not look like one is counted as `other`. */
const EVENT_NAME = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+){1,3}$/;

const str = (value: unknown, fallback = 'unknown') =>
  typeof value === 'string' && value.length > 0 ? value.slice(0, 128) : fallback;

export class TriageMetrics {
  readonly registry = new Registry();
  private readonly attempts;
  private readonly attemptDuration;
  private readonly rtt;
  private readonly retries;
  private readonly gunRetries;
  private readonly gunCleanup;
  private readonly cleanup;
  private readonly events;
  private readonly chaosFaults;
  private readonly ledgerResources;
  private readonly diagnoses;
  private readonly diagnosisDuration;
  private readonly inProgress;
  private readonly startedAt;
  private readonly lastDiagnosis;
  private readonly lastVerdict;
  private readonly targetUp;
  private readonly targetInfo;
  private readonly monitorEnabled;
  private readonly monitorInterval;
  private readonly monitorCycles;
  private readonly alerts;
  private readonly recoveries;
  private readonly alertActive;
  readonly otlpFailures;
  private readonly running = new Set<string>();
  /** Probe × target label sets already initialised (bounded by the config's targets). */
  private readonly known = new Set<string>();

  constructor(info: { version: string; face: string }) {
    const registers = [this.registry];
    new Gauge({
      name: METRIC_NAMES.buildInfo,
      help: 'RTC Triage version and face; always 1',
      labelNames: ['version', 'face'],
      registers,
    }).set({ version: info.version, face: info.face }, 1);
    this.attempts = new Counter({
      name: METRIC_NAMES.attempts,
      help: 'Probe attempts by probe, target, target kind, outcome and whether it was a first try or a retry',
      labelNames: ['probe', 'target', 'kind', 'outcome', 'try'],
      registers,
    });
    this.attemptDuration = new Histogram({
      name: METRIC_NAMES.attemptDuration,
      help: 'Duration of probe attempts',
      labelNames: ['probe', 'kind', 'outcome'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.rtt = new Histogram({
      name: METRIC_NAMES.rtt,
      help: 'Round-trip time measured by successful attempts (STUN binding, TURN allocation, relay echo)',
      labelNames: ['probe', 'target', 'kind'],
      buckets: RTT_BUCKETS,
      registers,
    });
    this.retries = new Counter({
      name: METRIC_NAMES.retries,
      help: 'Retries scheduled after a failed attempt',
      labelNames: ['probe', 'target', 'kind'],
      registers,
    });
    this.gunRetries = new Counter({
      name: METRIC_NAMES.gunRetries,
      help: 'Retries of signaling attempts through a GUN relay (seed metric)',
      labelNames: ['probe', 'target'],
      registers,
    });
    this.gunCleanup = new Histogram({
      name: METRIC_NAMES.gunCleanup,
      help: 'Time to release every resource of a signaling attempt through a GUN relay (seed metric)',
      labelNames: ['probe', 'outcome'],
      buckets: CLEANUP_BUCKETS,
      registers,
    });
    this.cleanup = new Histogram({
      name: METRIC_NAMES.cleanup,
      help: 'Time to release every resource of an attempt, any probe',
      labelNames: ['probe', 'kind'],
      buckets: CLEANUP_BUCKETS,
      registers,
    });
    this.events = new Counter({
      name: METRIC_NAMES.events,
      help: 'Structured engine events by name (signal.offer.sent, signal.answer.timeout, signal.teardown.success, ...)',
      labelNames: ['name'],
      registers,
    });
    this.chaosFaults = new Counter({
      name: METRIC_NAMES.chaosFaults,
      help: 'Faults injected on purpose by flags.chaos (drills)',
      labelNames: ['probe', 'target'],
      registers,
    });
    new Gauge({
      name: METRIC_NAMES.ledgerOpen,
      help: 'Sockets, peer connections, timers and processes open right now in this process',
      registers,
      collect() {
        this.set(openResourcesInProcess());
      },
    });
    this.ledgerResources = new Counter({
      name: METRIC_NAMES.ledgerResources,
      help: 'Resources of finished diagnoses by how they ended: released, or leaked (still open when the run ended)',
      labelNames: ['outcome'],
      registers,
    });
    this.diagnoses = new Counter({
      name: METRIC_NAMES.diagnoses,
      help: 'Finished diagnoses by verdict kind',
      labelNames: ['verdict'],
      registers,
    });
    this.diagnosisDuration = new Histogram({
      name: METRIC_NAMES.diagnosisDuration,
      help: 'Duration of whole diagnoses',
      buckets: RUN_BUCKETS,
      registers,
    });
    this.inProgress = new Gauge({
      name: METRIC_NAMES.inProgress,
      help: '1 while a diagnosis is running',
      registers,
    });
    this.startedAt = new Gauge({
      name: METRIC_NAMES.startedAt,
      help: 'Start of the diagnosis running now or of the last one (Unix seconds)',
      registers,
    });
    this.lastDiagnosis = new Gauge({
      name: METRIC_NAMES.lastDiagnosis,
      help: 'End of the last finished diagnosis (Unix seconds)',
      registers,
    });
    this.lastVerdict = new Gauge({
      name: METRIC_NAMES.lastVerdict,
      help: 'The last verdict: 1 for its kind, 0 for every other kind',
      labelNames: ['kind'],
      registers,
    });
    this.targetUp = new Gauge({
      name: METRIC_NAMES.targetUp,
      help: 'Per-server health in the last diagnosis: 1 up, 0.5 degraded, 0 down (absent: untested)',
      labelNames: ['target', 'kind', 'layer'],
      registers,
    });
    this.targetInfo = new Gauge({
      name: METRIC_NAMES.targetInfo,
      help: 'Each probed target with its URL; always 1',
      labelNames: ['target', 'kind', 'url'],
      registers,
    });
    this.monitorEnabled = new Gauge({
      name: METRIC_NAMES.monitorEnabled,
      help: '1 while scheduled diagnoses are on',
      registers,
    });
    this.monitorInterval = new Gauge({
      name: METRIC_NAMES.monitorInterval,
      help: 'Period of the scheduled diagnoses (seconds)',
      registers,
    });
    this.monitorCycles = new Counter({
      name: METRIC_NAMES.monitorCycles,
      help: 'Monitor cycles by result: ok, busy (another diagnosis was running), failed',
      labelNames: ['result'],
      registers,
    });
    this.alerts = new Counter({
      name: METRIC_NAMES.alerts,
      help: 'Alert episodes raised by the monitor (one per episode)',
      labelNames: ['alert'],
      registers,
    });
    this.recoveries = new Counter({
      name: METRIC_NAMES.recoveries,
      help: 'Alert episodes that recovered',
      labelNames: ['alert'],
      registers,
    });
    this.alertActive = new Gauge({
      name: METRIC_NAMES.alertActive,
      help: '1 while an alert episode is going on',
      labelNames: ['alert'],
      registers,
    });
    this.otlpFailures = new Counter({
      name: METRIC_NAMES.otlpFailures,
      help: 'OTLP span exports that failed (the spans were dropped; diagnoses are not affected)',
      registers,
    });
    for (const kind of VERDICT_KINDS) {
      this.lastVerdict.set({ kind }, 0);
      this.diagnoses.inc({ verdict: kind }, 0);
    }
    // Every label set known in advance starts at 0, so a dashboard reads 0, not "No data", until
    // the first one happens (a rate over an absent series is absent too).
    for (const result of ['ok', 'busy', 'failed']) this.monitorCycles.inc({ result }, 0);
    for (const outcome of ['released', 'leaked']) this.ledgerResources.inc({ outcome }, 0);
    for (const alert of [OFFLINE_KEY, LEAKED_KEY, DIAGNOSIS_FAILED_KEY]) this.alertKnown(alert);
    this.inProgress.set(0);
    this.monitorEnabled.set(0);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  observe(event: TriageEvent): void {
    if (EVENT_NAME.test(event.name)) this.events.inc({ name: event.name });
    else this.events.inc({ name: 'other' });
    const data = event.data ?? {};
    const target = str(event.targetId);
    switch (event.name) {
      case 'run.started':
        this.running.add(event.runId);
        this.inProgress.set(1);
        this.startedAt.set(Date.parse(event.at) / 1000);
        return;
      case 'run.finished':
        return this.runFinished(event);
      case 'attempt.started':
        this.targetKnown(str(data.probe), target, str(data.kind));
        if (typeof data.targetUrl === 'string')
          this.targetInfo.set({ target, kind: str(data.kind), url: data.targetUrl.slice(0, 256) }, 1);
        return;
      case 'attempt.finished':
        return this.attemptFinished(target, data);
      case 'attempt.retry': {
        const probe = str(data.probe);
        const kind = str(data.kind);
        this.retries.inc({ probe, target, kind });
        if (kind === 'gun') this.gunRetries.inc({ probe, target });
        return;
      }
      case 'chaos.fault.injected':
        this.chaosFaults.inc({ probe: str(data.probe), target });
        return;
      case 'monitor.started':
      case 'monitor.stopped':
        this.monitorEnabled.set(event.name === 'monitor.started' ? 1 : 0);
        if (typeof data.everyMs === 'number') this.monitorInterval.set(data.everyMs / 1000);
        if (event.name === 'monitor.stopped') this.alertActive.reset();
        return;
      case 'monitor.cycle':
        this.monitorCycles.inc({ result: str(data.result) });
        return;
      case 'monitor.alert':
        this.alerts.inc({ alert: str(data.key) });
        this.alertActive.set({ alert: str(data.key) }, 1);
        return;
      case 'monitor.recovered':
        this.recoveries.inc({ alert: str(data.key) });
        this.alertActive.set({ alert: str(data.key) }, 0);
        return;
    }
  }

  /** A probe × target seen for the first time: its counters exist from now on, at 0. */
  private targetKnown(probe: string, target: string, kind: string): void {
    const key = `${probe}\u0000${target}\u0000${kind}`;
    if (this.known.has(key)) return;
    this.known.add(key);
    this.retries.inc({ probe, target, kind }, 0);
    if (kind === 'gun') this.gunRetries.inc({ probe, target }, 0);
    this.chaosFaults.inc({ probe, target }, 0);
    this.alertKnown(targetKey(target));
  }

  private alertKnown(alert: string): void {
    this.alerts.inc({ alert }, 0);
    this.recoveries.inc({ alert }, 0);
  }

  /** The monitor's state, for a scrape that comes before its first event. */
  monitorState(status: Pick<MonitorStatus, 'enabled' | 'everyMs'>): void {
    this.monitorEnabled.set(status.enabled ? 1 : 0);
    this.monitorInterval.set(status.everyMs / 1000);
  }

  private attemptFinished(target: string, data: Record<string, unknown>): void {
    const probe = str(data.probe);
    const kind = str(data.kind);
    const outcome = str(data.outcome);
    const attempt = typeof data.attempt === 'number' ? data.attempt : 1;
    this.attempts.inc({ probe, target, kind, outcome, try: attempt > 1 ? 'retry' : 'first' });
    if (typeof data.durationMs === 'number')
      this.attemptDuration.observe({ probe, kind, outcome }, data.durationMs / 1000);
    if (outcome === 'success' && typeof data.rttMs === 'number' && Number.isFinite(data.rttMs))
      this.rtt.observe({ probe, target, kind }, data.rttMs / 1000);
    if (typeof data.cleanupMs === 'number') {
      this.cleanup.observe({ probe, kind }, data.cleanupMs / 1000);
      if (kind === 'gun') this.gunCleanup.observe({ probe, outcome }, data.cleanupMs / 1000);
    }
  }

  private runFinished(event: TriageEvent): void {
    const data = event.data ?? {};
    this.running.delete(event.runId);
    if (this.running.size === 0) this.inProgress.set(0);
    const verdict = str(data.verdict);
    this.diagnoses.inc({ verdict });
    for (const kind of VERDICT_KINDS) this.lastVerdict.set({ kind }, kind === verdict ? 1 : 0);
    this.lastDiagnosis.set(Date.parse(event.at) / 1000);
    if (typeof data.durationMs === 'number') this.diagnosisDuration.observe(data.durationMs / 1000);
    const cleanup = data.cleanup as { released?: unknown; leaked?: unknown } | undefined;
    if (cleanup && typeof cleanup.released === 'number')
      this.ledgerResources.inc({ outcome: 'released' }, cleanup.released);
    if (cleanup && typeof cleanup.leaked === 'number')
      this.ledgerResources.inc({ outcome: 'leaked' }, cleanup.leaked);
    if (Array.isArray(data.targets)) {
      // Per-server health is the last diagnosis's: a target no longer configured disappears.
      this.targetUp.reset();
      for (const t of data.targets as Array<Record<string, unknown>>) {
        const value = STATUS_VALUE[str(t.status)];
        if (value === undefined) continue;
        this.targetUp.set({ target: str(t.id), kind: str(t.kind), layer: str(t.layer) }, value);
      }
    }
  }
}
