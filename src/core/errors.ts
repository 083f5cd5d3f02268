import type { ErrorCode } from '../contract/errors';

/**
 * Typed errors with a code and a plain message. The CLI maps codes to exit codes; the adapters
 * return `{ code, message, field }` to the UI.
 */
/** The engine's share of the contract's one code list (contract/errors.ts: HTTP status, exit code). */
export type TriageErrorCode = ErrorCode;

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
