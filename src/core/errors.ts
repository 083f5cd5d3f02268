/**
 * Typed errors with a code and a plain message. The CLI maps codes to exit codes; the adapters
 * return `{ code, message, field }` to the UI.
 */
export type TriageErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_UNREADABLE'
  | 'USAGE'
  | 'DB_TOO_NEW'
  | 'DB_UNREADABLE'
  /** The history refused a write (disk full, read-only): the run stops, what was stored is kept. */
  | 'DB_UNWRITABLE'
  | 'ARGUMENT_INVALID'
  | 'NOT_FOUND'
  | 'BUSY'
  /** The face cannot do it (a face without file access asked to open or save a bundle). */
  | 'UNSUPPORTED'
  /** The engine process (core/engine): ended during the call, cannot start, was shut down, is starting. */
  | 'ENGINE_CRASHED'
  | 'ENGINE_FAILED'
  | 'ENGINE_STOPPED'
  | 'ENGINE_STARTING'
  | 'INTERNAL';

export class TriageError extends Error {
  readonly code: TriageErrorCode;
  /** Dotted path of the bad field, where one is to blame (e.g. `targets.2.url`). */
  readonly field: string | undefined;

  constructor(code: TriageErrorCode, message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TriageError';
    this.code = code;
    this.field = options.field;
  }
}

export class ConfigError extends TriageError {
  constructor(message: string, options: { field?: string; cause?: unknown } = {}) {
    super('CONFIG_INVALID', message, options);
    this.name = 'ConfigError';
  }
}

export class UsageError extends TriageError {
  constructor(message: string) {
    super('USAGE', message);
    this.name = 'UsageError';
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
