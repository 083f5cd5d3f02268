import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import {
  MONITOR_DEFAULT_EVERY_MS,
  ScheduleSchema,
  SettingsSchema,
  type AttemptPage,
  type Call,
  type CallReproduction,
  type CallSummary,
  type AttemptTimeline,
  type BundleManifest,
  type Config,
  type HistoryCharts,
  type HistoryReport,
  type MonitorStatus,
  type OpenedBundle,
  type Outcome,
  type PartnerResult,
  type PartnerState,
  type Report,
  type ServerStatus,
  type Settings,
  type Target,
  type TriageEvent,
} from '../contract';
import { historyReport } from './analysis/history-verdict';
import { isValidTimeZone, systemTimeZone } from './analysis/local-time';
import { exportBundle, openBundle } from './bundle';
import { defaultConfigPath } from './config/resources';
import { loadConfigFile, parseConfig } from './config/load';
import { resolveTargets } from './config/targets';
import { ConfigError, TriageError } from './errors';
import { runDiagnosis } from './runner/run';
import { HistoryStore } from './store/history';
import { Monitor, type MonitorOptions } from './monitor';
import { defaultDbPath, logDirFor } from './paths';
import { Telemetry } from './telemetry';
import type { OpenOptions } from './store/database';
import { SettingsStore } from './store/settings';
import { UiQueries } from './store/ui-queries';
import type { ResolvedTarget } from './probes/types';
import { attemptLog, attemptTimeline } from './views/attempts';
import { openedBundle } from './views/bundle';
import { historyCharts } from './views/charts';
import { serverStatus, type ServerListEntry } from './views/servers';

const DAY_MS = 86_400_000;
import { PeerHostPool, type PeerHostOptions } from './isolation/pool';
import { inPeerHosts, peerSidesInPeerHosts } from './isolation/placement';
import { PartnerSessions } from './partner/partner-sessions';
import { CallDesk, CallDumpError, type ReproduceArgs } from './calls';
import type { PartnerHostRun } from './partner/partner-test';

export interface ServiceOptions {
  /** A config file; the default public target list when absent. */
  configPath?: string;
  /**
   * A config already loaded (then configPath only names where it came from). `null`: none at all (a
   * reading face: `rtc-triage export` without a config); what needs one refuses (CONFIG_UNREADABLE).
   */
  config?: Config | null;
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
  /**
   * Apply what the UI saved (target list, timeouts, retry, concurrency, retention) over the config.
   * The desktop app and `serve` do; the CLI's `diagnose` tests its --config file as given.
   */
  useSavedSettings?: boolean;
  /**
   * Run the WebRTC probes in peer host processes (`core/isolation`), started now so they are warm for
   * the first diagnosis. For long-lived faces (desktop, serve, monitor); a build without the host
   * program runs everything in-process.
   */
  peerHosts?: PeerHostOptions;
  /**
   * A reading face (`rtc-triage history`, `export`): the history is opened read-only and never created
   * or migrated; no peer hosts, no telemetry. Methods that write refuse (`readOnlyRefusal`).
   */
  readonly?: boolean;
}

/**
 * TriageService: the one API every face uses (CLI, Electron IPC, `serve`). It owns the history
 * store and at most one diagnosis at a time.
 */
export class TriageService {
  private store: HistoryStore | null = null;
  private saved: SettingsStore | null = null;
  private ui: UiQueries | null = null;
  private current: { runId: string; controller: AbortController } | null = null;
  private readonly listeners = new Set<(event: TriageEvent) => void>();
  /** The config file's (or the given) config: what applies where nothing was saved. */
  private readonly config: Config | null;
  private readonly configSource: string;
  private monitor: Monitor | null = null;
  readonly telemetry: Telemetry | null;
  private readonly partner: PartnerSessions;
  /** Imported calls and their reproductions (core/calls, docs/calls.md). */
  readonly calls: CallDesk;
  private readonly peerHosts: PeerHostPool | null;

  constructor(private readonly options: ServiceOptions) {
    this.configSource =
      options.configPath ??
      (options.config ? 'inline' : options.config === null ? 'none' : defaultConfigPath());
    this.config = options.config === undefined ? loadConfigFile(this.configSource) : options.config;
    this.calls = new CallDesk({
      store: () => this.historyStore(),
      config: () => this.effectiveConfig(),
      diagnose: (config, args) => this.runDiagnosis({ ...args, config }),
    });
    this.partner = new PartnerSessions({
      config: () => this.partnerConfig(),
      store: () => this.historyStore(),
      source: options.face,
      emit: (event) => this.broadcast(event),
      placePeerSide: () => peerSidesInPeerHosts(this.peerHosts),
    });
    // a reading face (readonly, or no config) makes no telemetry of its own: it only reads
    this.telemetry =
      options.telemetry === false
        ? null
        : (options.telemetry ??
          (options.readonly || !this.config
            ? null
            : new Telemetry({
                face: options.face,
                version: options.version,
                flags: this.config.flags,
                logDir: logDirFor(this.dbPath),
              })));
    const telemetry = this.telemetry;
    if (telemetry?.enabled) this.listeners.add((event) => telemetry.observe(event));
    this.peerHosts =
      options.peerHosts && !options.readonly && PeerHostPool.available(options.peerHosts.entry)
        ? new PeerHostPool(options.peerHosts)
        : null;
    this.peerHosts?.warm();
  }

  /** True when this service's WebRTC (diagnoses and partner sessions) runs in peer hosts, never here. */
  get webRtcInPeerHosts(): boolean {
    return this.peerHosts !== null;
  }

  private broadcast(event: TriageEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  get dbPath(): string {
    return this.options.dbPath ?? defaultDbPath();
  }

  private historyStore(): HistoryStore {
    // With saved settings the retention is the user's, applied by `pruneHistory`, not the store's default.
    this.store ??= HistoryStore.open(this.dbPath, {
      ...this.options.dbOptions,
      ...(this.options.useSavedSettings ? { retentionDays: 0 } : {}),
      ...(this.options.readonly ? { readonly: true } : {}),
    });
    return this.store;
  }

  private settingsStore(): SettingsStore {
    this.saved ??= new SettingsStore(this.historyStore().database);
    return this.saved;
  }

  private uiQueries(): UiQueries {
    this.ui ??= new UiQueries(this.historyStore().database);
    return this.ui;
  }

  /** The config file's config; a service made with `config: null` has none and refuses what needs it. */
  private configured(): Config {
    if (this.config) return this.config;
    throw new TriageError(
      'CONFIG_UNREADABLE',
      'this service was opened without a config (it reads a history only): there are no targets',
    );
  }

  /** Refuses what writes the history (or starts what would) in a service opened `readonly`. */
  private writable(what: string): void {
    if (this.options.readonly)
      throw new TriageError('UNSUPPORTED', `${what}: this history was opened read-only`);
  }

  /** The config a diagnosis uses: the saved targets and settings over the config's, when enabled. */
  private effectiveConfig(): Config {
    const config = this.configured();
    if (!this.options.useSavedSettings) return config;
    const store = this.settingsStore();
    const settings = store.settings();
    // Spread first: config fields the UI does not edit pass through unchanged.
    return {
      ...config,
      targets: store.targets() ?? config.targets,
      timeouts: settings?.timeouts ?? config.timeouts,
      retry: settings?.retry ?? config.retry,
      concurrency: settings?.concurrency ?? config.concurrency,
    };
  }

  /**
   * The servers a partner test meets through and runs sessions over: the ones a diagnosis tests
   * (saved in the UI, or the config's), then the embedded lab's when it runs (`serve --lab`).
   */
  private partnerConfig(): Config {
    const config = this.effectiveConfig();
    if (!this.options.lab) return config;
    return { ...config, targets: [...config.targets, ...this.options.lab.targets] };
  }

  /** Drops runs older than the retention setting, a few batches at a time (the rest goes next time). */
  private pruneHistory(): void {
    if (!this.options.useSavedSettings) return;
    const { retentionDays } = this.getSettings();
    if (retentionDays > 0)
      this.historyStore().prune(new Date(Date.now() - retentionDays * DAY_MS), { maxBatches: 4 });
  }

  onEvent(listener: (event: TriageEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** `config`: test these targets instead of the configured ones (a call's reproduction). */
  async runDiagnosis(args: { appFailing?: boolean; signal?: AbortSignal; config?: Config }): Promise<Report> {
    this.writable('runDiagnosis');
    if (this.current)
      throw new TriageError('BUSY', `a diagnosis is already running (run ${this.current.runId})`);
    const runId = randomUUID();
    const controller = new AbortController();
    const onOuterAbort = () => controller.abort();
    args.signal?.addEventListener('abort', onOuterAbort, { once: true });
    this.current = { runId, controller };
    try {
      this.pruneHistory();
      return await runDiagnosis({
        config: args.config ?? this.effectiveConfig(),
        targets: args.config ? resolveTargets(args.config) : this.targets(),
        signal: controller.signal,
        store: this.historyStore(),
        appFailing: args.appFailing ?? false,
        source: this.options.face,
        runId,
        placeProbe: inPeerHosts(this.peerHosts),
        onEvent: (event) => this.broadcast(event),
      });
    } finally {
      args.signal?.removeEventListener('abort', onOuterAbort);
      this.current = null;
    }
  }

  /** The configured targets, then the lab's (layer L1), each with a unique id. */
  private targets(): ResolvedTarget[] {
    return this.targetEntries().map((entry) => entry.target);
  }

  private targetEntries(): ServerListEntry[] {
    const configured = resolveTargets(this.effectiveConfig());
    const entries = configured.map((target, index) => ({ target, configIndex: index as number | null }));
    if (!this.options.lab) return entries;
    const lab = resolveTargets(this.options.lab, { lab: true, taken: configured.map((t) => t.id) });
    return [...entries, ...lab.map((target) => ({ target, configIndex: null }))];
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
    checkTimeZone(args.timeZone);
    const to = Date.now();
    return historyReport(this.historyStore().queries, {
      from: to - (args.sinceMs ?? 86_400_000),
      to,
      ...(args.timeZone ? { timeZone: args.timeZone } : {}),
      appFailing: args.appFailing ?? false,
    });
  }

  /** The targets a diagnosis tests: the saved list, or the config's. */
  listTargets(): Target[] {
    return this.effectiveConfig().targets;
  }

  /** The saved settings, or the config's timeouts, retry and concurrency with the defaults. */
  getSettings(): Settings {
    return (
      this.settingsStore().settings() ??
      SettingsSchema.parse(
        this.config
          ? {
              timeouts: this.config.timeouts,
              retry: this.config.retry,
              concurrency: this.config.concurrency,
            }
          : {},
      )
    );
  }

  /** Saves the settings; with saved settings in use, the schedule switches the monitor on or off. */
  async saveSettings(settings: Settings): Promise<Settings> {
    this.writable('saveSettings');
    const parsed = SettingsSchema.parse(settings);
    this.settingsStore().saveSettings(parsed);
    this.pruneHistory();
    if (this.options.useSavedSettings) await this.applySchedule(parsed.schedule);
    return this.getSettings();
  }

  /**
   * Starts the monitor when the saved schedule says so (the desktop app and `serve` call it once at
   * start), so that a schedule switched on in Settings survives a restart.
   */
  async resumeSchedule(): Promise<MonitorStatus> {
    if (!this.options.useSavedSettings || this.options.readonly) return this.monitorStatus();
    return this.applySchedule(this.getSettings().schedule);
  }

  private async applySchedule(schedule: Settings['schedule']): Promise<MonitorStatus> {
    const running = this.monitor?.status();
    if (running?.enabled === schedule.enabled && (!schedule.enabled || running.everyMs === schedule.everyMs))
      return this.monitorStatus();
    return this.switchMonitor({ enabled: schedule.enabled, everyMs: schedule.everyMs });
  }

  /** Saves the list a diagnosis tests; refused whole (naming the field) when an entry is invalid. */
  saveTargets(args: { targets: Target[] }): Target[] {
    this.writable('saveTargets');
    let config: Config;
    try {
      config = parseConfig({ targets: args.targets }, 'targets');
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      throw new TriageError('ARGUMENT_INVALID', error.message.replace(/^targets: /, ''), {
        ...(error.field ? { field: error.field } : {}),
      });
    }
    this.settingsStore().saveTargets(config.targets);
    return this.listTargets();
  }

  resetTargets(): Target[] {
    this.writable('resetTargets');
    this.settingsStore().clearTargets();
    return this.listTargets();
  }

  serverStatus(args: { sinceMs?: number }): ServerStatus {
    const to = Date.now();
    return serverStatus(
      { history: this.historyStore().queries, ui: this.uiQueries() },
      this.targetEntries(),
      this.lastReport(),
      {
        from: to - (args.sinceMs ?? DAY_MS),
        to,
        source: this.options.useSavedSettings && this.settingsStore().targets() ? 'saved' : 'config',
      },
    );
  }

  historyCharts(args: { sinceMs?: number; timeZone?: string }): HistoryCharts {
    checkTimeZone(args.timeZone);
    const to = Date.now();
    return historyCharts(
      { history: this.historyStore().queries, ui: this.uiQueries() },
      { from: to - (args.sinceMs ?? DAY_MS), to, timeZone: args.timeZone ?? systemTimeZone() },
    );
  }

  listAttempts(args: {
    sinceMs?: number;
    targetId?: string;
    probe?: string;
    outcome?: Outcome;
    failedOnly?: boolean;
    runId?: string;
    limit?: number;
    before?: { startedAt: string; id: string };
  }): AttemptPage {
    const { sinceMs, ...filter } = args;
    return attemptLog(this.uiQueries(), { ...filter, from: Date.now() - (sinceMs ?? DAY_MS) });
  }

  attemptTimeline(args: { attemptId: string }): AttemptTimeline {
    return attemptTimeline(this.uiQueries(), args.attemptId);
  }

  /** Reads a bundle file read-only (docs/bundles.md): nothing of it enters this history. */
  async openBundle(file: string, name = basename(file)): Promise<OpenedBundle> {
    return openedBundle(await openBundle(file), name);
  }

  /** Writes a bundle of the last `sinceMs` to `out`; redacted unless `redact` (or the setting) says no. */
  async exportBundle(args: { out: string; sinceMs?: number; redact?: boolean }): Promise<BundleManifest> {
    const now = new Date();
    const { manifest } = await exportBundle({
      store: this.historyStore(),
      since: new Date(now.getTime() - (args.sinceMs ?? DAY_MS)),
      redact: args.redact ?? this.getSettings().redactExports,
      out: args.out,
      // a reading face opened without a config writes the bundle without one
      config: this.config ? this.effectiveConfig() : null,
      appVersion: this.options.version,
      // the log next to the history, as `rtc-triage export` takes it: a UI bundle had none
      logs: { dir: logDirFor(this.dbPath) },
      now,
    });
    return manifest;
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
    this.writable('setMonitor');
    const status = await this.switchMonitor(args);
    if (this.options.useSavedSettings) {
      // The switch and Settings' schedule are one setting: keep the saved schedule in step. A period
      // below the schedule's 10 s floor (tests, drills) runs but is not saved.
      const settings = this.getSettings();
      const everyMs = ScheduleSchema.shape.everyMs.safeParse(status.everyMs).success
        ? status.everyMs
        : settings.schedule.everyMs;
      this.settingsStore().saveSettings({ ...settings, schedule: { enabled: args.enabled, everyMs } });
    }
    return status;
  }

  private async switchMonitor(args: { enabled: boolean; everyMs?: number }): Promise<MonitorStatus> {
    const running = this.monitor?.status().enabled ? this.monitor : null;
    const everyMs = args.everyMs ?? running?.everyMs ?? MONITOR_DEFAULT_EVERY_MS;
    if (!args.enabled || (running && running.everyMs !== everyMs)) await this.monitor?.stop();
    if (args.enabled && !(running && running.everyMs === everyMs)) this.startMonitor({ everyMs });
    return this.monitorStatus();
  }

  /** Starts a monitor with every option (the CLI's `monitor` command); stops any previous one. */
  startMonitor(options: Omit<MonitorOptions, 'diagnose' | 'emit'>): Monitor {
    this.writable('startMonitor');
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

  /** The remote partner test, host side (the CLI awaits the code and the result itself). */
  hostPartnerTest(args: { codeTtlMs?: number; signal?: AbortSignal }): PartnerHostRun {
    this.writable('hostPartnerTest');
    return this.partner.host(args);
  }

  async joinPartnerTest(args: { code: string; signal?: AbortSignal }): Promise<PartnerResult> {
    this.writable('joinPartnerTest');
    return this.partner.join(args);
  }

  /** Starts the host's side for the UI; answers once the code can be shown (or the test ended without one). */
  async partnerHost(args: { codeTtlMs?: number }): Promise<PartnerState> {
    this.writable('partnerHost');
    const run = this.partner.host(args);
    run.result.catch(() => {});
    if (!(await run.code)) await run.result.catch(() => {});
    return this.partner.status();
  }

  partnerJoin(args: { code: string }): PartnerState {
    this.writable('partnerJoin');
    this.partner.join(args).catch(() => {});
    return this.partner.status();
  }

  partnerCancel(): { cancelled: boolean } {
    return this.partner.cancel();
  }

  partnerStatus(): PartnerState {
    return this.partner.status();
  }

  /** Imports a webrtc-internals or rtcstats dump as a call; the file comes from the face. */
  importCall(file: string, name = basename(file)): Call {
    this.writable('importCall');
    return this.calls.importFile(file, name);
  }

  /** The same from the dump's text, as a UI face uploads it (the contract's `importCall`). */
  importCallText(args: { name: string; text: string }): Call {
    this.writable('importCall');
    try {
      return this.calls.importText(args.text, args.name);
    } catch (error) {
      // the argument to blame is `text`; the message names the line or field of the dump
      if (error instanceof CallDumpError)
        throw new TriageError('ARGUMENT_INVALID', `importCall: text: ${error.message}`, { field: 'text' });
      throw error;
    }
  }

  listCalls(): CallSummary[] {
    return this.calls.list();
  }

  getCall(args: { callId: string }): Call {
    return this.calls.get(args.callId);
  }

  /** Diagnoses exactly the call's ICE servers and puts the call beside the result. */
  async reproduceCall(args: ReproduceArgs): Promise<CallReproduction> {
    this.writable('reproduceCall');
    return this.calls.reproduce(args);
  }

  close(): void {
    this.partner.cancel();
    void this.monitor?.stop();
    void this.telemetry?.close();
    this.current?.controller.abort();
    this.peerHosts?.close();
    this.store?.close();
    this.store = null;
    this.saved = null;
    this.ui = null;
  }
}

function checkTimeZone(timeZone: string | undefined): void {
  if (timeZone !== undefined && !isValidTimeZone(timeZone)) {
    throw new TriageError('ARGUMENT_INVALID', `timeZone: "${timeZone}" is not an IANA time zone`, {
      field: 'timeZone',
    });
  }
}
