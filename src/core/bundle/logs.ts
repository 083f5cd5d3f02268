import type { BundleManifest } from '../../contract';
import { readRecentLogs } from '../telemetry/log-file';
import type { Redactor } from './redact';

/** Default cap on the log text a bundle takes: the newest lines of the window, up to this many bytes. */
export const DEFAULT_BUNDLE_LOG_BYTES = 2 * 1024 * 1024;

export interface LogSource {
  /** The log folder (paths.ts `logDirFor(db)`: `logs/` next to the history). */
  dir: string;
  maxBytes?: number;
}

/** pino's own field naming this machine (our logger leaves it out; older or foreign lines may not). */
const MACHINE_FIELDS = ['hostname'];

/**
 * The window's recent log lines for a bundle: read from the end of the log files within the cap,
 * each line passed through the bundle's redactor (addresses → tokens, secrets and machine names out).
 */
export function recentLogLines(
  source: LogSource | null,
  since: Date,
  redactor: Redactor,
): { ndjson: Buffer; summary: NonNullable<BundleManifest['logs']> } {
  const maxBytes = source?.maxBytes ?? DEFAULT_BUNDLE_LOG_BYTES;
  if (!source)
    return { ndjson: Buffer.alloc(0), summary: { lines: 0, truncated: false, skipped: 0, maxBytes } };
  const recent = readRecentLogs(source.dir, { since, maxBytes });
  const out: string[] = [];
  for (const line of recent.lines) {
    const copy: Record<string, unknown> = { ...line };
    if (redactor.redactsAddresses) for (const field of MACHINE_FIELDS) delete copy[field];
    out.push(JSON.stringify(redactor.value(copy)));
  }
  return {
    ndjson: Buffer.from(out.length ? `${out.join('\n')}\n` : ''),
    summary: { lines: out.length, truncated: recent.truncated, skipped: recent.skipped, maxBytes },
  };
}
