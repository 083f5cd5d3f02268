import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

export const BIN = resolve(__dirname, '../../bin/rtc-triage.cjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `rtc-triage` bin (the built bundle) as a child process. */
export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `rtc-triage ${args.join(' ')} did not finish within ${options.timeoutMs ?? 60_000} ms\n${stderr}`,
        ),
      );
    }, options.timeoutMs ?? 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
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
