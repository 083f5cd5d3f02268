import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * True when the process has ended, its files closed (its end of our pipe with them), but its parent
 * has not reaped it yet: Linux state Z with no open descriptors. (The leader of a process with threads
 * shows Z while its other threads still hold the files.)
 */
export function zombie(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '');
    return state.startsWith('Z') && openFiles(pid) === 0;
  } catch {
    return false;
  }
}

function openFiles(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/** How many threads the process has now (Linux). */
export function threadsOf(pid: number): number {
  return readdirSync(`/proc/${pid}/task`).length;
}

/** Polls `done` every 20 ms, for at most `timeoutMs`; throws naming what it waited for. */
export async function waitUntil(what: string, done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A process's own children (pgrep -P): an engine's peer hosts, a face's engine. */
export function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map(Number)
      .filter((n) => n > 0);
  } catch {
    return [];
  }
}
