import { describe, expect, it } from 'vitest';
import type { BundleVerdict, Verdict } from '../../contract';
import { bundleAnswer } from './answer';

const verdict = (kind: Verdict['kind'], title: string): Verdict => ({
  kind,
  local: kind === 'offline' ? 'fail' : 'pass',
  crossNetwork: 'untested',
  confidence: 0.9,
  title,
  message: 'm',
  action: 'a',
  evidence: [],
});
const last = (v: Verdict): NonNullable<BundleVerdict['lastReport']> => ({
  runId: 'run-1',
  finishedAt: '2026-12-07T03:00:00.000Z',
  verdict: v,
  targets: [],
});
const history = (v: Verdict, note: string | null = null): NonNullable<BundleVerdict['history']> => ({
  since: '2026-12-06T03:00:00.000Z',
  until: '2026-12-07T03:05:00.000Z',
  verdict: v,
  note,
  targets: [],
});

describe('bundleAnswer: the one verdict of a bundle', () => {
  it('is the history verdict, with no note when the newest diagnosis reads the same kind', () => {
    const answer = bundleAnswer({
      lastReport: last(verdict('offline', 'This machine appears to be offline')),
      history: history(verdict('offline', 'This machine appears to be offline')),
      given: null,
    });
    expect(answer).toMatchObject({ from: 'history', note: null, verdict: { kind: 'offline' } });
  });

  it('says which is newer and why the history stands when the newest diagnosis read differently', () => {
    const answer = bundleAnswer({
      lastReport: last(verdict('partial-outage', 'One STUN server is down')),
      history: history(verdict('healthy', 'Everything works')),
      given: verdict('infrastructure-outage', 'older UI card'),
    });
    expect(answer?.verdict.kind).toBe('healthy');
    expect(answer?.note).toMatch(
      /newest diagnosis \(run run-1.*\) alone read "One STUN server is down" \[partial-outage\]/,
    );
    expect(answer?.note).toMatch(/history runs until 2026-12-07T03:05:00.000Z, is newer/);
  });

  it("carries the history's own note when its verdict follows the newest run against a stored pattern", () => {
    const note = 'The newest run (2026-12-07T03:04:00.000Z) is newer than the stored pattern';
    const answer = bundleAnswer({
      lastReport: last(verdict('offline', 'This machine appears to be offline')),
      history: history(verdict('offline', 'This machine appears to be offline'), note),
      given: null,
    });
    expect(answer).toMatchObject({ from: 'history', note, verdict: { kind: 'offline' } });
  });

  it('falls back to the newest diagnosis, then to the verdict given at export, then to none', () => {
    expect(
      bundleAnswer({ lastReport: last(verdict('healthy', 'ok')), history: null, given: null })?.from,
    ).toBe('newest-run');
    expect(bundleAnswer({ lastReport: null, history: null, given: verdict('healthy', 'ok') })?.from).toBe(
      'given',
    );
    expect(bundleAnswer({ lastReport: null, history: null, given: null })).toBeNull();
  });
});
