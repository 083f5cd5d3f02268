import { describe, expect, it } from 'vitest';
import { ProbeFailure, ProbeNotApplicable } from '../probes/types';
import { accountRemote, runAttemptCore, SAFETY_MARGIN_MS, type AttemptCoreOptions } from './attempt-core';
import { AttemptState } from './attempt-state';
import { AttemptLedger } from '../ledger/ledger';

/** A body that opens a timer and a socket-like resource on the attempt's scope, as a probe does. */
function opening(then: (signal: AbortSignal) => Promise<{ stage: string; metrics: Record<string, number> }>) {
  return async (scope: Parameters<Parameters<typeof runAttemptCore>[1]>[0]) => {
    scope.resources.timeout('probe timer', 60_000, () => {});
    scope.resources.register('udp-socket', 'probe socket', () => {});
    scope.stage('binding');
    return then(scope.signal);
  };
}

function options(
  ledger: AttemptLedger,
  signal = new AbortController().signal,
  extra: Partial<AttemptCoreOptions> = {},
) {
  const log: string[] = [];
  return {
    log,
    options: {
      ledger,
      signal,
      deadlineMs: 5_000,
      what: 'the probe',
      log: (l: string) => log.push(l),
      ...extra,
    },
  };
}

describe('the attempt core', () => {
  it('success: pending -> running -> succeeded, the scope released, the ledger at zero', async () => {
    const ledger = new AttemptLedger();
    const { log, options: o } = options(ledger);
    const ended = await runAttemptCore(
      o,
      opening(async () => ({ stage: 'binding', metrics: { rttMs: 3 } })),
    );
    expect(ended).toMatchObject({ state: AttemptState.Succeeded, outcome: 'success', metrics: { rttMs: 3 } });
    expect(log).toEqual(['pending -> running', 'running -> succeeded']);
    expect(ledger.counts()).toMatchObject({ leaked: 0 });
    expect(ledger.counts().opened).toBeGreaterThanOrEqual(3); // two of the body's, the safety net
  });

  it('failure: classified at the stage reached, released', async () => {
    const ledger = new AttemptLedger();
    const { log, options: o } = options(ledger);
    const ended = await runAttemptCore(
      o,
      opening(async () => {
        throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      }),
    );
    expect(ended).toMatchObject({ state: AttemptState.Failed, outcome: 'error', stage: 'binding' });
    expect(ended.state === AttemptState.Failed && ended.failure.errorClass).toBe('refused');
    expect(log.at(-1)).toBe('running -> failed');
    expect(ledger.counts().leaked).toBe(0);
  });

  it('a body past its deadline: the safety net aborts it as a timeout at its stage, released', async () => {
    const ledger = new AttemptLedger();
    let sawAbort = false;
    const { log, options: o } = options(ledger, undefined, { deadlineMs: 10 });
    const ended = await runAttemptCore(
      o,
      opening(
        (signal) =>
          new Promise((_resolve, reject) =>
            signal.addEventListener('abort', () => {
              sawAbort = true;
              reject(new Error('gave up'));
            }),
          ),
      ),
    );
    expect(sawAbort).toBe(true);
    expect(ended).toMatchObject({ state: AttemptState.TimedOut, outcome: 'timeout', stage: 'binding' });
    expect(ended.state === AttemptState.TimedOut && ended.failure.message).toBe(
      `the probe did not finish within ${10 + SAFETY_MARGIN_MS} ms`,
    );
    expect(log.at(-1)).toBe('running -> timed-out');
    expect(ledger.counts().leaked).toBe(0);
  });

  it('cancelled: aborted as "cancelled" (runner), or as the body said (partner); released either way', async () => {
    for (const onCancel of ['cancelled', 'as-thrown'] as const) {
      const ledger = new AttemptLedger();
      const outer = new AbortController();
      const { options: o } = options(ledger, outer.signal, { onCancel });
      const ended = runAttemptCore(
        o,
        opening(
          (signal) =>
            new Promise((_resolve, reject) =>
              signal.addEventListener('abort', () =>
                reject(new ProbeFailure('timeout', 'partner', 'the partner left', { partnerLost: true })),
              ),
            ),
        ),
      );
      outer.abort();
      const result = await ended;
      if (onCancel === 'cancelled')
        expect(result).toMatchObject({ state: AttemptState.Aborted, failure: { message: 'cancelled' } });
      else expect(result).toMatchObject({ state: AttemptState.TimedOut, metrics: { partnerLost: true } });
      expect(ledger.counts().leaked).toBe(0);
    }
  });

  it('not applicable: skipped, nothing recorded, released; no safety net without a deadline', async () => {
    const ledger = new AttemptLedger();
    const { log, options: o } = options(ledger, undefined, { deadlineMs: null });
    const ended = await runAttemptCore(
      o,
      opening(async () => {
        throw new ProbeNotApplicable('no UDP STUN server');
      }),
    );
    expect(ended).toMatchObject({ state: AttemptState.Skipped, reason: 'no UDP STUN server' });
    expect(log).toEqual(['pending -> running', 'running -> skipped']);
    expect(ledger.counts()).toEqual({ opened: 2, released: 2, leaked: 0 });
  });

  it('resources a job opened in another process are counted, opened and released', () => {
    const ledger = new AttemptLedger();
    accountRemote(ledger.scope(), { 'peer-connection': 2, 'data-channel': 4 }, 'a peer host');
    expect(ledger.counts()).toEqual({ opened: 6, released: 6, leaked: 0 });
    expect(ledger.openedByKind()).toEqual({ 'peer-connection': 2, 'data-channel': 4 });
  });
});
