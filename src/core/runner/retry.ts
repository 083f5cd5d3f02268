import type { AttemptReport, ErrorClass, RetrySettings } from '../../contract';
import { isAuthFailure } from '../analysis/checks';

/**
 * A retry policy answers one question: after this failed attempt, wait how long before the next,
 * or give up (`null`)? `attempt` is 1-based: the number of the attempt that just failed.
 */
export interface RetryPolicy {
  nextDelayMs(attempt: number, errorClass: ErrorClass): number | null;
}

/**
 * Answers that will not change on a retry a second later: the name does not resolve, the port
 * refused, the certificate is wrong, or the run was cancelled. Retrying them would only hide them.
 */
export const FAST_FAIL_CLASSES: ReadonlySet<ErrorClass> = new Set<ErrorClass>([
  'dns',
  'refused',
  'tls',
  'aborted',
  'internal',
]);

/**
 * A failure whose cause a retry cannot change, whatever its class: the server refused the
 * credentials (401/441). Retrying would only lock the account or wait out the backoff.
 */
export function isFinalCause(attempt: AttemptReport): boolean {
  return isAuthFailure(attempt);
}

/** `flags.resilience: false`: one attempt per probe, whatever failed. */
export const NO_RETRY: RetryPolicy = { nextDelayMs: () => null };

/** Exponential backoff with optional full jitter and a cap (the seed's 5 attempts, 1 s, ×2, 10 s). */
export class ExponentialBackoff implements RetryPolicy {
  constructor(
    private readonly settings: RetrySettings,
    private readonly random: () => number = Math.random,
  ) {}

  /** The capped delay before jitter. */
  ceilingMs(attempt: number): number {
    const { baseDelayMs, multiplier, maxDelayMs } = this.settings;
    return Math.min(baseDelayMs * multiplier ** (attempt - 1), maxDelayMs);
  }

  nextDelayMs(attempt: number, errorClass: ErrorClass): number | null {
    if (FAST_FAIL_CLASSES.has(errorClass)) return null;
    if (attempt >= this.settings.maxAttempts) return null;
    const ceiling = this.ceilingMs(attempt);
    if (this.settings.jitter === 'none') return ceiling;
    return Math.floor(this.random() * (ceiling + 1));
  }
}
