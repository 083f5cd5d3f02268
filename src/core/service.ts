import { randomUUID } from 'node:crypto';
import {
  MONITOR_DEFAULT_EVERY_MS,
  type Config,
  type HistoryReport,
  type MonitorStatus,
  type Report,
  type Target,
  type TriageEvent,
} from '../contract';
import { historyReport } from './analysis/history-verdict';
import { isValidTimeZone } from './analysis/local-time';
import { defaultConfigPath } from './config/resources';
import { loadConfigFile } from './config/load';
import { resolveTargets } from './config/targets';
import { TriageError } from './errors';
import { runDiagnosis } from './runner/run';
import { HistoryStore } from './store/history';
import { Monitor, type MonitorOptions } from './monitor';
import { defaultDbPath, logDirFor } from './paths';
import { Telemetry } from './telemetry';
import type { OpenOptions } from './store/database';
import type { ResolvedTarget } from './probes/types';

export interface ServiceOptions {
  /** A config file; the default public target list when absent. */
  configPath?: string;
  /** A config already loaded (then configPath only names where it came from). */
  config?: Config;
  dbPath?: string;
  dbOptions?: OpenOptions;
  /** The embedded lab's config, when it runs: its targets are added as layer L1. */
  lab?: Config;
  /** Which face runs the engine: cli, desktop, serve. Recorded with each run. */
  face: string;
  version: string;
  /** Logs, metrics and spans (docs/monitoring.md); default: made from the config's flags. false: none. */
  telemetry?: Telemetry | false;
  /** Rules for monitors started through `setMonitor` (hysteresis, jitter). */
  monitor?: Omit<MonitorOptions, 'diagnose' | 'emit' | 'everyMs'>;
}

/**
 * TriageService: the one API every face uses (CLI, Electron IPC, `serve`). It owns the history
 * store and at most one diagnosis at a time.
 */
export class TriageService {
  private store: HistoryStore | null = null;
  private current: { runId: string; controller: AbortController } | null = null;
  private readonly listeners = new Set<(event: TriageEvent) => void>();
  private readonly config: Config;
  private readonly configSource: string;
  private monitor: Monitor | null = null;
  readonly telemetry: Telemetry | null;

  constructor(private readonly options: ServiceOptions) {
    this.configSource = options.configPath ?? (options.config ? 'inline' : defaultConfigPath());
    this.config = options.config ?? loadConfigFile(this.configSource);
    this.telemetry =
      options.telemetry === false
        ? null
        : (options.telemetry ??
          new Telemetry({
            face: options.face,
            version: options.version,
            flags: this.config.flags,
            logDir: logDirFor(this.dbPath),
          }));
    const telemetry = this.telemetry;
    if (telemetry?.enabled) this.listeners.add((event) => telemetry.observe(event));
  }

  private broadcast(event: TriageEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  get dbPath(): string {
    return this.options.dbPath ?? defaultDbPath();
  }

  private historyStore(): HistoryStore {
    this.store ??= HistoryStore.open(this.dbPath, this.options.dbOptions);
    return this.store;
  }

  onEvent(listener: (event: TriageEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async runDiagnosis(args: { appFailing?: boolean; signal?: AbortSignal }): Promise<Report> {
    if (this.current)
      throw new TriageError('BUSY', `a diagnosis is already running (run ${this.current.runId})`);
    const runId = randomUUID();
    const controller = new AbortController();
    const onOuterAbort = () => controller.abort();
    args.signal?.addEventListener('abort', onOuterAbort, { once: true });
    this.current = { runId, controller };
    try {
      return await runDiagnosis({
        config: this.config,
        targets: this.targets(),
        signal: controller.signal,
        store: this.historyStore(),
        appFailing: args.appFailing ?? false,
        source: this.options.face,
        runId,
        onEvent: (event) => this.broadcast(event),
      });
    } finally {
      args.signal?.removeEventListener('abort', onOuterAbort);
      this.current = null;
    }
  }

  /** The configured targets, then the lab's (layer L1), each with a unique id. */
  private targets(): ResolvedTarget[] {
    const configured = resolveTargets(this.config);
    if (!this.options.lab) return configured;
    return [
      ...configured,
      ...resolveTargets(this.options.lab, { lab: true, taken: configured.map((t) => t.id) }),
    ];
  }

  cancelDiagnosis(args: { runId: string }): { cancelled: boolean } {
    if (!this.current || this.current.runId !== args.runId) return { cancelled: false };
    this.current.controller.abort();
    return { cancelled: true };
  }

  lastReport(): Report | null {
    return this.historyStore().lastReport();
  }

  /** Patterns and the overall verdict over the last `sinceMs` of history (default 24 h). */
  history(args: { sinceMs?: number; timeZone?: string; appFailing?: boolean }): HistoryReport {
    if (args.timeZone !== undefined && !isValidTimeZone(args.timeZone)) {
      throw new TriageError('ARGUMENT_INVALID', `timeZone: "${args.timeZone}" is not an IANA time zone`, {
        field: 'timeZone',
      });
    }
    const to = Date.now();
    return historyReport(this.historyStore().queries, {
      from: to - (args.sinceMs ?? 86_400_000),
      to,
      ...(args.timeZone ? { timeZone: args.timeZone } : {}),
      appFailing: args.appFailing ?? false,
    });
  }

  listTargets(): Target[] {
    return this.config.targets;
  }

  appInfo(): { version: string; dbPath: string; configSource: string; face: string } {
    return {
      version: this.options.version,
      dbPath: this.dbPath,
      configSource: this.configSource,
      face: this.options.face,
    };
  }

  /** The scheduled-diagnosis monitor: its state, alert episodes included. */
  monitorStatus(): MonitorStatus {
    if (this.monitor) return this.monitor.status();
    return {
      enabled: false,
      everyMs: MONITOR_DEFAULT_EVERY_MS,
      cycles: 0,
      lastRunAt: null,
      nextRunAt: null,
      lastVerdict: null,
      active: [],
      recent: [],
    };
  }

  /** Switches the monitor on or off (the desktop switch); a new period restarts it. */
  async setMonitor(args: { enabled: boolean; everyMs?: number }): Promise<MonitorStatus> {
    const running = this.monitor?.status().enabled ? this.monitor : null;
    const everyMs = args.everyMs ?? running?.everyMs ?? MONITOR_DEFAULT_EVERY_MS;
    if (!args.enabled || (running && running.everyMs !== everyMs)) await this.monitor?.stop();
    if (args.enabled && !(running && running.everyMs === everyMs)) this.startMonitor({ everyMs });
    return this.monitorStatus();
  }

  /** Starts a monitor with every option (the CLI's `monitor` command); stops any previous one. */
  startMonitor(options: Omit<MonitorOptions, 'diagnose' | 'emit'>): Monitor {
    void this.monitor?.stop();
    const monitor = new Monitor({
      ...this.options.monitor,
      ...options,
      diagnose: (signal) => this.runDiagnosis({ signal }),
      emit: (event) => this.broadcast(event),
    });
    this.monitor = monitor;
    monitor.start();
    return monitor;
  }

  close(): void {
    void this.monitor?.stop();
    void this.telemetry?.close();
    this.current?.controller.abort();
    this.store?.close();
    this.store = null;
  }
}
