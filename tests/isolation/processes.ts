import { readdirSync } from 'node:fs';

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
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
