import { spawn, type ChildProcess } from 'node:child_process';
import { BIN } from '../helpers/cli';

export type LogLine = Record<string, unknown> & { event?: string; data?: Record<string, unknown> };

/**
 * `rtc-triage monitor …` as a child process, its stdout read as JSON log lines. `waitFor` resolves
 * with the first line (old or new) that matches, or rejects after `timeoutMs` naming what it saw.
 */
export class MonitorChild {
  readonly child: ChildProcess;
  readonly lines: LogLine[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  private buffer = '';
  private waiters: Array<() => void> = [];

  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, [BIN, 'monitor', ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.child.stdout?.on('data', (d: Buffer) => {
      this.buffer += d.toString();
      let newline: number;
      while ((newline = this.buffer.indexOf('\n')) >= 0) {
        const raw = this.buffer.slice(0, newline);
        this.buffer = this.buffer.slice(newline + 1);
        if (raw.trim()) this.lines.push(JSON.parse(raw) as LogLine);
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.child.once('exit', () => {
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  events(name: string): LogLine[] {
    return this.lines.filter((l) => l.event === name);
  }

  async waitFor(what: string, match: (line: LogLine) => boolean, timeoutMs = 90_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find(match);
      if (found) return found;
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(
          `monitor: no ${what} within ${timeoutMs} ms (exit ${this.child.exitCode}); saw ${this.lines
            .map((l) => l.event)
            .join(', ')}\n${this.stderr}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, Math.min(1000, deadline - Date.now())));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits until `count` more `monitor.cycle` lines have come than there are now. */
  async cycles(count: number, timeoutMs = 90_000): Promise<void> {
    const target = this.events('monitor.cycle').length + count;
    await this.waitFor(
      `${count} more cycle(s)`,
      () => this.events('monitor.cycle').length >= target,
      timeoutMs,
    );
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGINT');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 60_000);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
