import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleChild, netnsSupport, runInNetns, type ChildCase, type ChildRun } from '../helpers/netns';
import type { AttemptReport } from '../helpers/types';

/**
 * signaled-session runs two libwebrtc peers, which gather on every interface: every case runs in a
 * child inside a fresh network namespace with only loopback (tests/netns-child/signaled-session.ts),
 * which starts the embedded lab's GUN relay and PeerJS server itself, inside that namespace.
 */
const support = netnsSupport();
const missing = support.ok ? null : support.reason;
if (missing) console.warn(`SKIPPED signaled-session tests: ${missing}`);

interface CaseLine extends ChildCase {
  result: { attempts: AttemptReport[]; eventNames?: string[] } | undefined;
  error: string | null;
  ledger: { opened: number; released: number; leaked: number };
  outstanding: unknown[];
}

describe.skipIf(missing !== null)('signaled-session probe (in a loopback-only network namespace)', () => {
  let run: ChildRun;
  let script = '';
  afterAll(() => rmSync(script, { force: true }));
  beforeAll(async () => {
    script = await bundleChild('tests/netns-child/signaled-session.ts');
    run = await runInNetns(script, [], 35_000);
  }, 40_000);

  /** The case's attempts, having checked the ledger is at zero and the harness did not fail. */
  function caseOf(name: string): { attempts: AttemptReport[]; eventNames: string[] } {
    const line = run.cases.get(name) as CaseLine | undefined;
    expect(line, `case ${name} missing; child exit ${run.code}; stderr:\n${run.stderr}`).toBeDefined();
    expect(line?.error).toBeNull();
    expect(line?.outstanding).toEqual([]);
    expect(line?.ledger.leaked).toBe(0);
    expect(line?.ledger.opened).toBeGreaterThan(0);
    expect(line?.ledger.released).toBe(line?.ledger.opened);
    return { attempts: line?.result?.attempts ?? [], eventNames: line?.result?.eventNames ?? [] };
  }

  function only(name: string): { attempt: AttemptReport; eventNames: string[] } {
    const { attempts, eventNames } = caseOf(name);
    expect(attempts).toHaveLength(1);
    return { attempt: attempts[0] as AttemptReport, eventNames };
  }

  it('runs every case in a child that exits cleanly (no uncaught error, no native crash)', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/Uncaught|Unhandled|Segmentation/i);
  });

  it.each([
    ['gun-success', 'gun'],
    ['peerjs-success', 'peerjs'],
  ])('%s: offer, answer and candidates cross the server, then ICE connects and echoes', (name, via) => {
    const { attempt: a, eventNames } = only(name);
    expect(a.probe).toBe('signaled-session');
    expect(a.outcome).toBe('success');
    expect(a.stage).toBe('echo');
    expect(a.metrics.via).toBe(via);
    for (const metric of ['signalingConnectMs', 'offerToAnswerMs', 'timeToConnectMs', 'echoRttP50Ms'])
      expect(typeof a.metrics[metric], metric).toBe('number');
    // an offer, an answer and at least one trickled candidate each way
    expect(a.metrics.signalsRelayed).toBeGreaterThanOrEqual(4);
    expect(eventNames).toEqual(
      expect.arrayContaining([
        'signal.server.connected',
        'signal.offer.sent',
        'signal.offer.received',
        'signal.answer.sent',
        'signal.answer.received',
        'peer.connected',
        'peer.echo.completed',
        'signal.teardown.success',
      ]),
    );
    expect(eventNames.indexOf('signal.offer.sent')).toBeLessThan(eventNames.indexOf('signal.offer.received'));
    expect(eventNames.indexOf('signal.answer.sent')).toBeLessThan(
      eventNames.indexOf('signal.answer.received'),
    );
  });

  it('runs 5 signaled sessions at once through one GUN relay', () => {
    const { attempts } = caseOf('gun-concurrent');
    expect(attempts).toHaveLength(5);
    expect(attempts.map((a) => a.outcome)).toEqual(Array(5).fill('success'));
    expect(new Set(attempts.map((a) => a.correlationId)).size).toBe(5);
  });

  it('a relay that accepts but never relays times out at "offer", saying so', () => {
    const { attempt: a, eventNames } = only('gun-mute-relay');
    expect(a.outcome).toBe('timeout');
    expect(a.errorClass).toBe('timeout');
    expect(a.stage).toBe('offer');
    expect(a.errorMessage).toMatch(/GUN relay accepted both clients but did not pass the offer/);
    expect(a.metrics).toMatchObject({ via: 'gun', signalsRelayed: 0 });
    expect(eventNames).toEqual(expect.arrayContaining(['signal.offer.sent', 'signal.offer.timeout']));
    expect(eventNames).not.toContain('signal.offer.received');
  });

  it('a relay that drops a client mid-session is "refused" at the stage it interrupted', () => {
    const { attempt: a } = only('gun-drops-client');
    expect(a.outcome).toBe('error');
    expect(a.errorClass).toBe('refused');
    expect(a.stage).toBe('offer');
    expect(a.errorMessage).toMatch(/GUN relay closed client A's connection mid-session/);
  });

  it.each([
    ['gun-unreachable', /the GUN relay at .* is unreachable/],
    ['peerjs-unreachable', /the PeerJS server at .* is unreachable/],
  ])('%s: an unreachable server is "refused"', (name, message) => {
    const { attempt: a } = only(name);
    expect(a.outcome).toBe('error');
    expect(a.errorClass).toBe('refused');
    expect(a.stage).toBe('signaling-connect');
    expect(a.errorMessage).toMatch(message);
  });

  it.each(['gun-cancel-mid-handshake', 'peerjs-cancel-mid-handshake'])(
    '%s: cancelled mid-handshake, the session is aborted and torn down',
    (name) => {
      const { attempt: a, eventNames } = only(name);
      expect(a.outcome).toBe('aborted');
      expect(eventNames).toContain('signal.teardown.success');
    },
  );
});
