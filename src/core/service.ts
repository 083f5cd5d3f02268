import { randomUUID } from 'node:crypto';
import type {
  Config,
  HistoryReport,
  PartnerResult,
  PartnerState,
  Report,
  Target,
  TriageEvent,
} from '../contract';
import { historyReport } from './analysis/history-verdict';
import { isValidTimeZone } from './analysis/local-time';
import { defaultConfigPath } from './config/resources';
import { loadConfigFile } from './config/load';
import { resolveTargets } from './config/targets';
import { TriageError } from './errors';
import { runDiagnosis } from './runner/run';
import { HistoryStore } from './store/history';
import { defaultDbPath } from './paths';
import type { OpenOptions } from './store/database';
import type { ResolvedTarget } from './probes/types';
import { PartnerSessions } from './partner/partner-sessions';
import type { PartnerHostRun } from './partner/partner-test';

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
  private readonly partner: PartnerSessions;

  constructor(private readonly options: ServiceOptions) {
    this.configSource = options.configPath ?? (options.config ? 'inline' : defaultConfigPath());
    this.config = options.config ?? loadConfigFile(this.configSource);
    this.partner = new PartnerSessions({
      config: this.config,
      store: () => this.historyStore(),
      source: options.face,
      emit: (event) => {
        for (const listener of this.listeners) listener(event);
      },
    });
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
        onEvent: (event) => {
          for (const listener of this.listeners) listener(event);
        },
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

  /** The remote partner test, host side (the CLI awaits the code and the result itself). */
  hostPartnerTest(args: { codeTtlMs?: number; signal?: AbortSignal }): PartnerHostRun {
    return this.partner.host(args);
  }

  joinPartnerTest(args: { code: string; signal?: AbortSignal }): Promise<PartnerResult> {
    return this.partner.join(args);
  }

  /** Starts the host's side for the UI; answers once the code can be shown (or the test ended without one). */
  async partnerHost(args: { codeTtlMs?: number }): Promise<PartnerState> {
    const run = this.partner.host(args);
    run.result.catch(() => {});
    if (!(await run.code)) await run.result.catch(() => {});
    return this.partner.status();
  }

  partnerJoin(args: { code: string }): PartnerState {
    this.partner.join(args).catch(() => {});
    return this.partner.status();
  }

  partnerCancel(): { cancelled: boolean } {
    return this.partner.cancel();
  }

  partnerStatus(): PartnerState {
    return this.partner.status();
  }

  close(): void {
    this.partner.cancel();
    this.current?.controller.abort();
    this.store?.close();
    this.store = null;
  }
}
