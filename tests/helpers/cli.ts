import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

export const BIN = resolve(__dirname, '../../bin/rtc-triage.cjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `rtc-triage` bin (the built bundle) as a child process; rejects if it never ends. */
export async function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const run = await runCliTimed(args, { ...options, timeoutMs });
  if (run.signal === 'SIGKILL')
    throw new Error(`rtc-triage ${args.join(' ')} did not finish within ${timeoutMs} ms\n${run.stderr}`);
  return { code: run.code, stdout: run.stdout, stderr: run.stderr };
}

/** Starts `rtc-triage lab --json` and resolves with its first stdout line (the lab's config). */
export function startCliLab(): Promise<{
  child: ChildProcess;
  config: string;
  exited: Promise<number | null>;
}> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, 'lab', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    let buffer = '';
    child.stdout?.on('data', (d: Buffer) => {
      buffer += d.toString();
      const newline = buffer.indexOf('\n');
      if (newline >= 0) resolvePromise({ child, config: buffer.slice(0, newline), exited });
    });
    child.once('exit', (code) => reject(new Error(`lab exited early with ${code}`)));
  });
}

export const tmpFile = (dir: string, name: string) => join(dir, name);

export interface TimedCliRun extends CliResult {
  signal: NodeJS.Signals | null;
  /** performance.now() of the last byte on stdout or stderr (its result), of the stop signal and of the exit. */
  lastOutputAt: number;
  stoppedAt: number | null;
  exitedAt: number;
}

/**
 * Runs the real bin and times its end: when it last printed and when its process was gone. With
 * `stopOn`, a long-running command (lab, serve, monitor) gets SIGINT once its stdout matches, as a
 * user's Ctrl-C. `timeoutMs` only stops a process that would otherwise hang forever (SIGKILL).
 */
export function runCliTimed(
  args: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    timeoutMs?: number;
    stopOn?: RegExp;
    /** Called with everything on stdout so far, after each chunk. */
    onStdout?: (stdout: string) => void;
  } = {},
): Promise<TimedCliRun> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let lastOutputAt = performance.now();
    let stoppedAt: number | null = null;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      lastOutputAt = performance.now();
      if (options.stopOn && stoppedAt === null && options.stopOn.test(stdout)) {
        stoppedAt = performance.now();
        child.kill('SIGINT');
      }
      options.onStdout?.(stdout);
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      lastOutputAt = performance.now();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('exit', (code, signal) => {
      const exitedAt = performance.now();
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, lastOutputAt, stoppedAt, exitedAt });
    });
  });
}
