import { printable } from './printable';

/** Where the CLI writes; tests may capture it. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  version: string;
}

/** The process's stdout/stderr; every line goes through `printable` (no escape sequence gets out). */
export function processIo(version: string): CliIo {
  const line = (text: string) => printable(text.endsWith('\n') ? text : `${text}\n`);
  return {
    out: (text) => process.stdout.write(line(text)),
    err: (text) => process.stderr.write(line(text)),
    version,
  };
}
