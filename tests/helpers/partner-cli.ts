/**
 * Two real `rtc-triage partner` processes: a host whose first stdout line is the code, and joiners.
 * Each process's stdout lines, stderr and exit code are collected; the last stdout line of a --json
 * run is its result.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { PartnerResultSchema, type PartnerResult } from '../../src/contract';
import { BIN } from './cli';

export interface PartnerProcess {
  child: ChildProcess;
  /** Resolves with the first stdout line (the host's code line). */
  firstLine: Promise<string>;
  /** Resolves when a stderr line matches (progress lines, without --json). */
  stderrMatch(pattern: RegExp): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

export function startPartner(args: string[], timeoutMs = 120_000): PartnerProcess {
  const child = spawn(process.execPath, [BIN, 'partner', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const stderrWaiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  let resolveFirst: (line: string) => void = () => {};
  let rejectFirst: (error: Error) => void = () => {};
  const firstLine = new Promise<string>((resolve, reject) => {
    resolveFirst = resolve;
    rejectFirst = reject;
  });
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
    const newline = stdout.indexOf('\n');
    if (newline >= 0) resolveFirst(stdout.slice(0, newline));
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const waiter of [...stderrWaiters]) {
      const line = stderr.split('\n').find((l) => waiter.pattern.test(l));
      if (line !== undefined) {
        stderrWaiters.splice(stderrWaiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  // only hosts print a first line worth waiting for; nobody else must see its rejection
  firstLine.catch(() => {});
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve) =>
    child.once('exit', (code, signal) => {
      clearTimeout(killer);
      rejectFirst(
        new Error(
          `rtc-triage partner ${args.join(' ')} exited (${code ?? signal}) before printing:\n${stderr}`,
        ),
      );
      // stdout may still be draining: wait for the stream to end
      const done = () => resolve({ code, signal, stdout, stderr });
      if (child.stdout?.readableEnded) done();
      else child.stdout?.once('end', done);
    }),
  );
  return {
    child,
    firstLine,
    exited,
    stderrMatch: (pattern) =>
      new Promise<string>((resolve, reject) => {
        const line = stderr.split('\n').find((l) => pattern.test(l));
        if (line !== undefined) return resolve(line);
        stderrWaiters.push({ pattern, resolve });
        void exited.then(() =>
          reject(new Error(`exited without printing ${String(pattern)} on stderr:\n${stderr}`)),
        );
      }),
  };
}

/** The last stdout line of a --json run, validated against the result schema. */
export function resultOf(stdout: string): PartnerResult {
  const lines = stdout.trim().split('\n');
  return PartnerResultSchema.parse(JSON.parse(lines.at(-1) ?? 'null'));
}

/** The code from a host's first --json line. */
export function codeOf(firstLine: string): string {
  const parsed = JSON.parse(firstLine) as { code?: unknown };
  if (typeof parsed.code !== 'string') throw new Error(`not a code line: ${firstLine}`);
  return parsed.code;
}
