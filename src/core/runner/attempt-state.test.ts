import { describe, expect, it } from 'vitest';
import { AttemptState, IllegalTransitionError, transition } from './attempt-state';

describe('attempt lifecycle', () => {
  it('logs every transition as "from -> to"', () => {
    const lines: string[] = [];
    const holder = { state: AttemptState.Pending };
    transition(holder, AttemptState.Running, (l) => lines.push(l));
    transition(holder, AttemptState.TimedOut, (l) => lines.push(l));
    expect(lines).toEqual(['pending -> running', 'running -> timed-out']);
  });

  it('refuses transitions out of a terminal state', () => {
    const holder = { state: AttemptState.Succeeded };
    expect(() => transition(holder, AttemptState.Failed, () => {})).toThrow(IllegalTransitionError);
  });
});
