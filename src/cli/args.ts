import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../core/errors';
import { HISTORY_WINDOW_MS } from '../contract';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Strict flag parsing: unknown flags and stray arguments are refused with a message naming them. */
export function parseFlags<O extends Options>(command: string, argv: string[], options: O, positionals = 0) {
  try {
    const parsed = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: positionals > 0,
    });
    if (parsed.positionals.length > positionals) {
      throw new UsageError(`${command}: unexpected argument "${parsed.positionals[positionals]}"`);
    }
    return parsed;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const message =
      error instanceof Error
        ? error.message.replace(/\. To specify a positional argument.*$/s, '')
        : String(error);
    throw new UsageError(`${command}: ${message}`);
  }
}

/** Parses `24h`, `30m`, `90s`, `7d`, `500ms` into milliseconds. */
export function parseDuration(flag: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(value.trim());
  if (!match) throw new UsageError(`${flag}: "${value}" is not a duration (use e.g. 90s, 30m, 24h, 7d)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[
    match[2] as 'ms' | 's' | 'm' | 'h' | 'd'
  ];
  return Number(match[1]) * unit;
}

/** A `--since` window: a duration within the one every face accepts (1 minute to 400 days). */
export function parseWindow(flag: string, value: string): number {
  const ms = parseDuration(flag, value);
  if (ms < HISTORY_WINDOW_MS.min || ms > HISTORY_WINDOW_MS.max)
    throw new UsageError(`${flag}: "${value}" is out of range (1m to 400d)`);
  return Math.round(ms);
}

export function parsePort(flag: string, value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 0 || port > 65535)
    throw new UsageError(`${flag}: "${value}" is not a port number (0-65535)`);
  return port;
}
