import { AttemptLedger, type LedgerScope } from '../ledger/ledger';

export interface SchedulerOptions {
  everyMs: number;
  /** Each start is delayed by a random share of the period up to this ratio (default 0.1). */
  jitterRatio?: number;
  /** …and never by more than this (default 30 s). */
  maxJitterMs?: number;
  random?: () => number;
  /** Stop by itself after this many cycles (the CLI's --cycles). */
  maxCycles?: number;
}

/**
 * Runs `task` every `everyMs`, one at a time, each start jittered so that many agents started
 * together (a fleet, a cron) do not probe the same servers in lock-step. A cycle that overruns the
 * period delays the next one instead of stacking a second diagnosis on it. The timer is on a ledger:
 * after `stop()` nothing of the scheduler is left running.
 */
export class CycleScheduler {
  readonly ledger = new AttemptLedger();
  private scope: LedgerScope | null = null;
  private controller: AbortController | null = null;
  private current: Promise<void> | null = null;
  private running = false;
  private cycles = 0;
  private lastStart: number | null = null;
  private next: number | null = null;
  private resolveDone: () => void = () => {};
  /** Resolves when the scheduler stops (asked to, or after maxCycles). */
  readonly done: Promise<void>;

  constructor(
    private readonly task: (signal: AbortSignal) => Promise<void>,
    private readonly options: SchedulerOptions,
  ) {
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  get active(): boolean {
    return this.running;
  }

  get nextRunAt(): number | null {
    return this.running ? this.next : null;
  }

  get completedCycles(): number {
    return this.cycles;
  }

  /** The delay before a start: up to jitterRatio × period, capped. */
  jitterMs(): number {
    const ratio = this.options.jitterRatio ?? 0.1;
    const cap = Math.min(this.options.everyMs * ratio, this.options.maxJitterMs ?? 30_000);
    return Math.floor((this.options.random ?? Math.random)() * Math.max(0, cap));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(this.jitterMs());
  }

  /** Stops: cancels the cycle in progress (its diagnosis cleans up) and waits for it to end. */
  async stop(): Promise<void> {
    if (!this.running && !this.current) return;
    this.running = false;
    this.next = null;
    this.scope?.releaseAll();
    this.scope = null;
    this.controller?.abort();
    await this.current?.catch(() => undefined);
    this.resolveDone();
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.next = Date.now() + delayMs;
    this.scope = this.ledger.scope();
    this.scope.timeout('monitor cycle', delayMs, () => {
      this.scope = null;
      this.current = this.cycle().finally(() => {
        this.current = null;
      });
    });
  }

  private async cycle(): Promise<void> {
    if (!this.running) return;
    this.lastStart = Date.now();
    this.next = null;
    this.controller = new AbortController();
    try {
      await this.task(this.controller.signal);
    } catch {
      // the task reports its own failures; the schedule goes on
    } finally {
      this.controller = null;
    }
    this.cycles++;
    if (this.options.maxCycles !== undefined && this.cycles >= this.options.maxCycles) {
      this.running = false;
      this.resolveDone();
      return;
    }
    if (!this.running) return;
    const elapsed = Date.now() - (this.lastStart ?? Date.now());
    this.schedule(Math.max(0, this.options.everyMs - elapsed) + this.jitterMs());
  }
}
