import { randomUUID } from 'node:crypto';
import type {
  MonitorAlert,
  MonitorStatus,
  Report,
  EventName,
  TriageEvent,
  VerdictKind,
} from '../../contract';
import { TriageError, errorMessage } from '../errors';
import { AlertEpisodes, DEFAULT_EPISODE_RULES, type EpisodeRules } from './alerts';
import { DIAGNOSIS_FAILED_KEY, conditionsOf, diagnosisFailed } from './conditions';
import { CycleScheduler } from './scheduler';

export interface MonitorOptions extends Partial<EpisodeRules> {
  everyMs: number;
  /** One diagnosis; rejects with TriageError BUSY when another one is running. */
  diagnose: (signal: AbortSignal) => Promise<Report>;
  /** Where monitor events go (the service's event stream: log, metrics, UI, notifications). */
  emit: (event: TriageEvent) => void;
  maxCycles?: number;
  jitterRatio?: number;
  random?: () => number;
}

const RECENT = 20;

/**
 * Scheduled diagnoses kept in the history, with alert episodes over their results. Every alert and
 * recovery is one `monitor.alert` / `monitor.recovered` event; each cycle ends with `monitor.cycle`.
 */
export class Monitor {
  readonly id = randomUUID();
  private readonly scheduler: CycleScheduler;
  private readonly episodes: AlertEpisodes;
  private readonly recent: MonitorAlert[] = [];
  private lastRunAt: string | null = null;
  private lastVerdict: VerdictKind | null = null;
  private cycles = 0;
  private stopped = false;

  constructor(private readonly options: MonitorOptions) {
    this.episodes = new AlertEpisodes({
      raiseAfter: options.raiseAfter ?? DEFAULT_EPISODE_RULES.raiseAfter,
      clearAfter: options.clearAfter ?? DEFAULT_EPISODE_RULES.clearAfter,
    });
    this.scheduler = new CycleScheduler((signal) => this.cycle(signal), {
      everyMs: options.everyMs,
      ...(options.maxCycles !== undefined ? { maxCycles: options.maxCycles } : {}),
      ...(options.jitterRatio !== undefined ? { jitterRatio: options.jitterRatio } : {}),
      ...(options.random ? { random: options.random } : {}),
    });
    void this.scheduler.done.then(() => this.finish());
  }

  get everyMs(): number {
    return this.options.everyMs;
  }

  /** Resolves when the monitor has stopped (asked to, or after maxCycles). */
  get done(): Promise<void> {
    return this.scheduler.done;
  }

  /** The scheduler's ledger: its timer, for tests that check nothing is left open. */
  get ledger() {
    return this.scheduler.ledger;
  }

  start(): void {
    this.emit('monitor.started', this.id, { everyMs: this.options.everyMs });
    this.scheduler.start();
  }

  async stop(): Promise<void> {
    await this.scheduler.stop();
  }

  status(): MonitorStatus {
    const next = this.scheduler.nextRunAt;
    return {
      enabled: this.scheduler.active,
      everyMs: this.options.everyMs,
      cycles: this.cycles,
      lastRunAt: this.lastRunAt,
      nextRunAt: next === null ? null : new Date(next).toISOString(),
      lastVerdict: this.lastVerdict,
      active: this.episodes.active(),
      recent: [...this.recent],
    };
  }

  private finish(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.emit('monitor.stopped', this.id, { everyMs: this.options.everyMs, cycles: this.cycles });
  }

  private async cycle(signal: AbortSignal): Promise<void> {
    let report: Report;
    try {
      report = await this.options.diagnose(signal);
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof TriageError && error.code === 'BUSY') {
        // Someone ran a diagnosis by hand: its result is in the history too; skip this turn.
        this.emit('monitor.cycle', this.id, { result: 'busy', cycle: this.cycles + 1 });
        return;
      }
      this.cycles++;
      const at = new Date();
      this.lastRunAt = at.toISOString();
      const condition = diagnosisFailed(`The scheduled diagnosis failed: ${errorMessage(error)}`);
      this.announce(
        this.episodes.update([condition], at, { observed: (key) => key === DIAGNOSIS_FAILED_KEY }),
        this.id,
      );
      this.emit('monitor.cycle', this.id, {
        result: 'failed',
        cycle: this.cycles,
        error: errorMessage(error),
      });
      return;
    }
    // A run cut short by stop() proves nothing about the servers.
    if (signal.aborted) return;
    this.cycles++;
    const at = new Date(report.finishedAt);
    this.lastRunAt = report.finishedAt;
    this.lastVerdict = report.verdict.kind;
    const { conditions, observed } = conditionsOf(report);
    this.announce(this.episodes.update(conditions, at, { runId: report.runId, observed }), report.runId);
    this.emit('monitor.cycle', report.runId, {
      result: 'ok',
      cycle: this.cycles,
      verdict: report.verdict.kind,
      down: conditions.filter((c) => c.targetId).map((c) => c.targetId),
      active: this.episodes.active().map((a) => a.key),
    });
  }

  private announce(changes: { raised: MonitorAlert[]; recovered: MonitorAlert[] }, runId: string): void {
    for (const alert of [...changes.raised, ...changes.recovered]) {
      this.recent.unshift(alert);
      if (this.recent.length > RECENT) this.recent.length = RECENT;
      this.emit(
        alert.state === 'alerting' ? 'monitor.alert' : 'monitor.recovered',
        runId,
        { ...alert, monitorId: this.id },
        alert.targetId,
      );
    }
  }

  private emit(name: EventName, runId: string, data: Record<string, unknown>, targetId?: string): void {
    try {
      this.options.emit({
        name,
        at: new Date().toISOString(),
        runId,
        ...(targetId ? { targetId } : {}),
        data: name.startsWith('monitor.') && !('monitorId' in data) ? { ...data, monitorId: this.id } : data,
      });
    } catch {
      // a listener that throws must not stop the schedule
    }
  }
}
