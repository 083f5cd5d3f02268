import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

export const LOG_FILE_NAME = 'rtc-triage.log';
/** One file's cap: past it, the file is rotated to `.1` (and `.1` to `.2`, …). */
export const DEFAULT_LOG_MAX_BYTES = 5 * 1024 * 1024;
/** Rotated files kept besides the current one: at most (1 + keep) × maxBytes on disk. */
export const DEFAULT_LOG_KEEP = 3;

export interface LogFileOptions {
  dir: string;
  maxBytes?: number;
  keep?: number;
}

/** The log files of `dir`, newest first: `rtc-triage.log`, `rtc-triage.log.1`, … */
export function logFiles(dir: string, keep = DEFAULT_LOG_KEEP): string[] {
  const files = [join(dir, LOG_FILE_NAME)];
  for (let i = 1; i <= keep; i++) files.push(join(dir, `${LOG_FILE_NAME}.${i}`));
  return files;
}

/**
 * An append-only log file with a size cap: when the next line would take it past `maxBytes` it is
 * renamed to `.1` (older ones shift up, the oldest is dropped), so the logs can never take more than
 * (1 + keep) × maxBytes. Writes are synchronous: a line is on disk before the next attempt starts,
 * and nothing (no worker, no timer) outlives `close()`. A write that fails (disk full, permissions)
 * is counted and dropped: logging must never break a diagnosis.
 */
export class RotatingLogFile {
  readonly path: string;
  private readonly maxBytes: number;
  private readonly keep: number;
  private fd: number | null = null;
  private size = 0;
  private ino = 0;
  failures = 0;

  constructor(private readonly options: LogFileOptions) {
    this.path = join(options.dir, LOG_FILE_NAME);
    this.maxBytes = Math.max(1024, options.maxBytes ?? DEFAULT_LOG_MAX_BYTES);
    this.keep = Math.max(1, options.keep ?? DEFAULT_LOG_KEEP);
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    this.open();
  }

  get closed(): boolean {
    return this.fd === null;
  }

  write(line: string): void {
    if (this.fd === null) return;
    try {
      const bytes = Buffer.byteLength(line);
      this.followRotation();
      if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
      if (this.fd === null) return;
      writeSync(this.fd, line);
      this.size += bytes;
    } catch {
      this.failures++;
    }
  }

  close(): void {
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } catch {
      // already gone: nothing left to release
    }
    this.fd = null;
  }

  private open(): void {
    this.fd = openSync(this.path, 'a', 0o600);
    const stat = fstatSync(this.fd);
    this.size = stat.size;
    this.ino = stat.ino;
  }

  /**
   * Another process (the desktop app and a CLI monitor share one data folder) appends to the same
   * file and may rotate it: take the real size before each line, and follow a rotation done by the
   * other writer instead of appending to the renamed file. Two stat calls a line: logs are a few
   * hundred lines a diagnosis, not a hot path.
   */
  private followRotation(): void {
    let onDisk: { ino: number } | null;
    try {
      onDisk = statSync(this.path);
    } catch {
      onDisk = null;
    }
    if (!onDisk || onDisk.ino !== this.ino) {
      this.close();
      this.open();
      return;
    }
    this.size = fstatSync(this.fd as number).size;
  }

  private rotate(): void {
    this.close();
    const files = logFiles(this.options.dir, this.keep);
    for (let i = files.length - 1; i > 0; i--) {
      const from = files[i - 1] as string;
      if (existsSync(from)) renameSync(from, files[i] as string);
    }
    this.open();
  }
}

export interface RecentLogs {
  /** Parsed log lines, oldest first. */
  lines: Array<Record<string, unknown>>;
  /** True when older lines of the window were left out to stay within `maxBytes`. */
  truncated: boolean;
  /** Lines that were not JSON objects (a torn last line after a crash) and were left out. */
  skipped: number;
}

/**
 * The recent part of the log: lines written at or after `since`, newest kept first, at most
 * `maxBytes` of them read from the ends of the files. Reads only what it returns (plus one line).
 */
export function readRecentLogs(
  dir: string,
  options: { since: Date; maxBytes: number; keep?: number },
): RecentLogs {
  const since = options.since.getTime();
  let budget = Math.max(0, options.maxBytes);
  const newestFirst: Array<Record<string, unknown>> = [];
  let truncated = false;
  let skipped = 0;
  let reachedOlder = false;
  for (const file of logFiles(dir, options.keep)) {
    if (reachedOlder) break;
    if (budget <= 0) {
      // Out of room with older files left: the window's oldest lines are not in the result.
      if (existsSync(file)) truncated = true;
      break;
    }
    const text = tail(file, budget);
    if (text === null) continue;
    budget -= text.bytes;
    const lines = text.content.split('\n');
    // A tail that starts mid-file starts mid-line: that first piece is not a line.
    if (text.partial) {
      lines.shift();
      truncated = true;
    }
    for (let i = lines.length - 1; i >= 0; i--) {
      const raw = (lines[i] as string).trim();
      if (raw === '') continue;
      const parsed = parseLine(raw);
      if (!parsed) {
        skipped++;
        continue;
      }
      const time = lineTime(parsed);
      if (time !== null && time < since) {
        reachedOlder = true;
        break;
      }
      newestFirst.push(parsed);
    }
  }
  return { lines: newestFirst.reverse(), truncated: truncated && !reachedOlder, skipped };
}

function tail(file: string, maxBytes: number): { content: string; bytes: number; partial: boolean } | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    let read = 0;
    while (read < length) {
      const n = readSync(fd, buffer, read, length - read, size - length + read);
      if (n === 0) break;
      read += n;
    }
    return { content: buffer.subarray(0, read).toString('utf8'), bytes: read, partial: length < size };
  } finally {
    closeSync(fd);
  }
}

function parseLine(raw: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(raw);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function lineTime(line: Record<string, unknown>): number | null {
  const time = line.time;
  if (typeof time === 'number') return time;
  if (typeof time === 'string') {
    const ms = Date.parse(time);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}
