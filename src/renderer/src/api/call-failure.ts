import type { CallError, ErrorCode } from '../../../contract';

/** A contract call that failed: the engine's code, message and (for bad arguments) the field. */
export class CallFailure extends Error {
  /** One of the contract's codes (contract/errors.ts), whichever face said it. */
  readonly code: ErrorCode;
  readonly field: string | undefined;

  constructor(error: CallError) {
    super(error.message);
    this.name = 'CallFailure';
    this.code = error.code;
    this.field = error.field;
  }
}

/** A message fit for the UI, whatever was thrown (the Electron bridge keeps only an Error's message). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
