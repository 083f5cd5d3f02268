/** Where the CLI writes; tests may capture it. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  version: string;
}

export function processIo(version: string): CliIo {
  return {
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    version,
  };
}
