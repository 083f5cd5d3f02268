/**
 * The lifecycle of one attempt, as a string enum with one transition function, so every change is
 * checked and logged as `from -> to`.
 */
export enum AttemptState {
  Pending = 'pending',
  Running = 'running',
  Succeeded = 'succeeded',
  Failed = 'failed',
  TimedOut = 'timed-out',
  Aborted = 'aborted',
  /** The probe found nothing to test on this target; no attempt is recorded. */
  Skipped = 'skipped',
}

const ALLOWED: Record<AttemptState, readonly AttemptState[]> = {
  [AttemptState.Pending]: [AttemptState.Running, AttemptState.Aborted],
  [AttemptState.Running]: [
    AttemptState.Succeeded,
    AttemptState.Failed,
    AttemptState.TimedOut,
    AttemptState.Aborted,
    AttemptState.Skipped,
  ],
  [AttemptState.Succeeded]: [],
  [AttemptState.Failed]: [],
  [AttemptState.TimedOut]: [],
  [AttemptState.Aborted]: [],
  [AttemptState.Skipped]: [],
};

export class IllegalTransitionError extends Error {
  constructor(from: AttemptState, to: AttemptState) {
    super(`illegal attempt transition ${from} -> ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

export function isTerminal(state: AttemptState): boolean {
  return ALLOWED[state].length === 0;
}

/** Moves `holder` to `to`, calling `log('from -> to')`; throws on a transition the lifecycle does not allow. */
export function transition(
  holder: { state: AttemptState },
  to: AttemptState,
  log: (line: string) => void,
): void {
  const from = holder.state;
  if (!ALLOWED[from].includes(to)) throw new IllegalTransitionError(from, to);
  holder.state = to;
  log(`${from} -> ${to}`);
}
