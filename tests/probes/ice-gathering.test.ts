import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCoturn } from '../helpers/coturn';
import { bundleChild, netnsSupport, runInNetns, type ChildCase, type ChildRun } from '../helpers/netns';
import type { AttemptReport } from '../helpers/types';

/**
 * ice-gathering runs libwebrtc, which gathers on every interface: every case runs in a child inside
 * a fresh network namespace with only loopback (tests/netns-child/ice-gathering.ts), against coturn
 * started in that namespace.
 */
const support = netnsSupport();
const skip = !support.ok || !hasCoturn;
if (skip)
  console.warn(
    `SKIPPED ice-gathering tests: ${!support.ok ? support.reason : 'coturn (/usr/bin/turnserver) is not installed'}`,
  );

interface CaseLine extends ChildCase {
  result: { attempts: AttemptReport[]; eventNames?: string[] } | undefined;
  error: string | null;
  ledger: { opened: number; released: number; leaked: number };
  outstanding: unknown[];
}

describe.skipIf(skip)('ice-gathering probe (in a loopback-only network namespace)', () => {
  let run: ChildRun;
  let script = '';
  afterAll(() => rmSync(script, { force: true }));
  beforeAll(async () => {
    script = await bundleChild('tests/netns-child/ice-gathering.ts');
    run = await runInNetns(script);
  });

  /** The case's line, with the ledger at zero and no harness error. */
  function caseOf(name: string): { attempts: AttemptReport[]; eventNames: string[] } {
    const line = run.cases.get(name) as CaseLine | undefined;
    expect(line, `case ${name} missing; child exit ${run.code}; stderr:\n${run.stderr}`).toBeDefined();
    expect(line?.error).toBeNull();
    expect(line?.outstanding).toEqual([]);
    expect(line?.ledger.leaked).toBe(0);
    expect(line?.ledger.opened).toBeGreaterThan(0);
    return { attempts: line?.result?.attempts ?? [], eventNames: line?.result?.eventNames ?? [] };
  }

  function only(name: string): AttemptReport {
    const { attempts } = caseOf(name);
    expect(attempts).toHaveLength(1);
    return attempts[0] as AttemptReport;
  }

  it('runs every case in a child that exits cleanly (no uncaught error, no native crash)', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/Uncaught|Unhandled|Segmentation/i);
  });

  it('gets a server-reflexive candidate from a STUN server behind a NAT', () => {
    const { attempts, eventNames } = caseOf('stun-success');
    const a = attempts[0];
    expect(a?.probe).toBe('ice-gathering');
    expect(a?.outcome).toBe('success');
    expect(a?.metrics).toMatchObject({ expected: 'srflx', expectedArrived: true, serverKind: 'stun' });
    expect(a?.metrics.srflxCandidates).toBeGreaterThan(0);
    expect(a?.metrics.hostCandidates).toBeGreaterThan(0);
    expect(typeof a?.metrics.firstSrflxMs).toBe('number');
    expect(eventNames).toEqual(
      expect.arrayContaining(['ice.gathering.started', 'ice.candidate', 'ice.gathering.complete']),
    );
  });

  it('passes a STUN server that answers with our own address (no NAT), and says so', () => {
    const a = only('stun-no-nat');
    expect(a.outcome).toBe('success');
    expect(a.metrics).toMatchObject({
      expectedArrived: false,
      reflexiveEqualsHost: true,
      gatheringComplete: true,
    });
  });

  it('gets a relay candidate from a TURN server with the right credentials', () => {
    const a = only('turn-success');
    expect(a.outcome).toBe('success');
    expect(a.metrics).toMatchObject({ expected: 'relay', expectedArrived: true, serverKind: 'turn' });
    expect(a.metrics.relayCandidates).toBeGreaterThan(0);
    expect(typeof a.metrics.firstRelayMs).toBe('number');
  });

  it('explains a TURN server that rejects the credentials (401)', () => {
    const a = only('turn-wrong-credentials');
    expect(a.outcome).toBe('error');
    expect(a.errorClass).toBe('server-error');
    expect(a.stage).toBe('ice');
    expect(a.errorMessage).toMatch(/credentials/);
    expect(a.metrics).toMatchObject({ expectedArrived: false, relayCandidates: 0, iceErrorCode: 401 });
  });

  it('times out on a STUN server that never answers', () => {
    const a = only('stun-silent');
    expect(a.outcome).toBe('timeout');
    expect(a.errorClass).toBe('timeout');
    expect(a.errorMessage).toMatch(/no srflx candidate/);
    expect(a.metrics.srflxCandidates).toBe(0);
    expect(a.metrics.hostCandidates).toBeGreaterThan(0);
  });

  it('times out on a TURN URL whose port is closed', () => {
    const a = only('turn-closed-port');
    expect(a.errorClass).toBe('timeout');
    expect(a.errorMessage).toMatch(/TURN server gave no relay candidate/);
  });

  it('classes an ICE server name that does not resolve as dns', () => {
    const a = only('stun-dns-failure');
    expect(a.outcome).toBe('error');
    expect(a.errorClass).toBe('dns');
  });

  it('is aborted cleanly when cancelled mid-gathering', () => {
    const a = only('cancel-mid-gathering');
    expect(a.outcome).toBe('aborted');
    expect(a.errorClass).toBe('aborted');
  });

  it('runs five gatherings at once against STUN and TURN', () => {
    const { attempts } = caseOf('concurrent-gathering');
    expect(attempts).toHaveLength(5);
    expect(attempts.map((a) => a.outcome)).toEqual(Array(5).fill('success'));
  });
});
