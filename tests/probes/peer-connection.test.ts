import { existsSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathQualityOf } from '../../src/contract';
import { QUALITY_ECHO, THROUGHPUT_BYTES } from '../../src/core/probes/peer-connection';
import { hasCoturn } from '../helpers/coturn';
import { bundleChild, netnsSupport, runInNetns, type ChildCase, type ChildRun } from '../helpers/netns';
import type { AttemptReport } from '../helpers/types';

/**
 * peer-connection runs two libwebrtc peers, which gather on every interface: every case runs in a
 * child inside a fresh network namespace with only loopback (tests/netns-child/peer-connection.ts),
 * with coturn and an nft NAT made inside that namespace.
 */
const support = netnsSupport();
const hasNft = existsSync('/usr/sbin/nft');
const missing = !support.ok
  ? support.reason
  : !hasCoturn
    ? 'coturn (/usr/bin/turnserver) is not installed'
    : !hasNft
      ? 'nft (/usr/sbin/nft) is not installed'
      : null;
if (missing) console.warn(`SKIPPED peer-connection tests: ${missing}`);

interface CaseLine extends ChildCase {
  result: { attempts: AttemptReport[]; eventNames?: string[] } | undefined;
  error: string | null;
  ledger: { opened: number; released: number; leaked: number };
  outstanding: unknown[];
}

describe.skipIf(missing !== null)('peer-connection probe (in a loopback-only network namespace)', () => {
  let run: ChildRun;
  let script = '';
  afterAll(() => rmSync(script, { force: true }));
  beforeAll(async () => {
    script = await bundleChild('tests/netns-child/peer-connection.ts');
    run = await runInNetns(script);
  });

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

  function only(name: string): AttemptReport {
    const { attempts } = caseOf(name);
    expect(attempts).toHaveLength(1);
    return attempts[0] as AttemptReport;
  }

  it('runs every case in a child that exits cleanly (no uncaught error, no native crash)', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/Uncaught|Unhandled|Segmentation/i);
  });

  it('connects two local peers over host candidates and echoes (L0)', () => {
    const { attempts, eventNames } = caseOf('host-success');
    const a = attempts[0];
    expect(a?.probe).toBe('peer-connection');
    expect(a?.targetId).toBe('local-machine');
    expect(a?.outcome).toBe('success');
    expect(a?.stage).toBe('echo');
    expect(a?.metrics).toMatchObject({
      path: 'host',
      localCandidateType: 'host',
      remoteCandidateType: 'host',
      echoPings: 5,
      throughputBytes: THROUGHPUT_BYTES,
      relayCandidates: 0,
      srflxCandidates: 0,
    });
    expect(typeof a?.metrics.echoRttP50Ms).toBe('number');
    expect(typeof a?.metrics.throughputKbps).toBe('number');
    expect(eventNames).toEqual(
      expect.arrayContaining([
        'signal.offer.sent',
        'signal.offer.received',
        'signal.answer.sent',
        'signal.answer.received',
        'peer.connected',
        'peer.echo.completed',
        'signal.teardown.success',
      ]),
    );
  });

  it('measures the quality figures of a connected path: RTT p50/p95, jitter, loss, throughput', () => {
    const a = caseOf('host-success').attempts[0] as AttemptReport;
    // a clean path: every one of the echoed messages on the unreliable channel came back
    expect(a.metrics).toMatchObject({
      echoSent: QUALITY_ECHO.count,
      echoReceived: QUALITY_ECHO.count,
      lossPct: 0,
    });
    const { rttMsP50, rttMsP95, jitterMs, throughputKbps } = a.metrics;
    for (const figure of [rttMsP50, rttMsP95, jitterMs, throughputKbps]) expect(typeof figure).toBe('number');
    expect(rttMsP95 as number).toBeGreaterThanOrEqual(rttMsP50 as number);
    expect(jitterMs as number).toBeGreaterThanOrEqual(0);
    expect(throughputKbps as number).toBeGreaterThan(0);
    // the report's row for it carries the same figures and a grade
    const [row] = pathQualityOf([a]);
    expect(row).toMatchObject({
      targetId: 'local-machine',
      path: 'host',
      rttMsP50,
      rttMsP95,
      jitterMs,
      lossPct: 0,
      throughputKbps,
    });
    expect(['good', 'fair', 'poor', 'bad']).toContain(row?.grade);
  });

  it('measures the figures over the TURN relay too', () => {
    const a = only('relay-success');
    expect(a.metrics.echoSent).toBe(QUALITY_ECHO.count);
    expect(a.metrics.echoReceived as number).toBeGreaterThan(0);
    for (const key of ['rttMsP50', 'rttMsP95', 'jitterMs', 'lossPct', 'throughputKbps'])
      expect(typeof a.metrics[key], key).toBe('number');
    expect(pathQualityOf([a]).map((r) => r.path)).toEqual(['relay']);
  });

  it('reads the loss of a lossy path from the echoes that did not come back, and still passes it', () => {
    const a = only('host-lossy-after-connect');
    expect(a.outcome).toBe('success');
    // a message still on its way when the window ends is neither received nor lost (loss-echo.ts)
    const sent = a.metrics.echoSent as number;
    const received = a.metrics.echoReceived as number;
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThanOrEqual(QUALITY_ECHO.count);
    // 30 % each way: about half the round trips are lost (none lost has odds of 0.5^100)
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(sent);
    expect(a.metrics.lossPct as number).toBeCloseTo(((sent - received) / sent) * 100, 2);
    expect(typeof a.metrics.rttMsP95).toBe('number');
  });

  it('connects through the TURN relay only', () => {
    const a = only('relay-success');
    expect(a.outcome).toBe('success');
    expect(a.metrics).toMatchObject({
      path: 'relay',
      localCandidateType: 'relay',
      remoteCandidateType: 'relay',
      hostCandidates: 0,
      throughputBytes: THROUGHPUT_BYTES,
    });
  });

  it('explains a relay path whose TURN server rejects the credentials', () => {
    const a = only('relay-wrong-credentials');
    expect(a.outcome).toBe('error');
    expect(a.errorClass).toBe('server-error');
    expect(a.stage).toBe('ice');
    expect(a.errorMessage).toMatch(
      /no relay candidate: the TURN server rejected the credentials \(401 .*\): check the username and credential/,
    );
    expect(a.metrics).toMatchObject({ path: 'relay', iceErrorCode: 401, relayCandidates: 0 });
  });

  it('times out at ICE when the TURN server does not answer', () => {
    const a = only('relay-closed-port');
    expect(a.outcome).toBe('timeout');
    expect(a.stage).toBe('ice');
    expect(a.metrics.path).toBe('relay');
  });

  it('connects over reflexive candidates when the NAT hairpins', () => {
    const { attempts } = caseOf('srflx-success');
    const last = attempts.at(-1);
    expect(last?.outcome).toBe('success');
    expect(last?.metrics.path).toBe('srflx');
    // libwebrtc pairs from the host socket behind the srflx address; either name may be reported
    expect(['host', 'srflx']).toContain(last?.metrics.localCandidateType);
    expect(['srflx', 'prflx']).toContain(last?.metrics.remoteCandidateType);
    // earlier attempts, if any, are the wrtc quirk: one peer gave no srflx candidate
    for (const earlier of attempts.slice(0, -1)) {
      expect(earlier.stage).toBe('ice');
      expect(earlier.metrics.path).toBe('srflx');
    }
  });

  it('reports a reflexive-only failure as "hairpin not supported", extra evidence only', () => {
    const a = only('srflx-no-hairpin');
    expect(a.outcome).not.toBe('success');
    expect(a.stage).toBe('connect');
    expect(a.errorMessage).toContain(
      'hairpin not supported (extra evidence only, not proof the network is broken)',
    );
    expect(a.metrics.path).toBe('srflx');
  });

  it('fails at connect when every packet is dropped', () => {
    const a = only('host-blocked');
    expect(['timeout', 'unreachable']).toContain(a.errorClass);
    expect(a.stage).toBe('connect');
    expect(a.metrics.path).toBe('host');
  });

  it('passes a connected path whose bulk sample cannot get through, reporting the sample partial', () => {
    const a = only('host-bulk-blocked-after-connect');
    expect(a.outcome).toBe('success');
    expect(a.stage).toBe('echo');
    expect(a.metrics).toMatchObject({ path: 'host', echoPings: 5, throughputComplete: false });
    expect(a.metrics.throughputBytes).toBeLessThan(256 * 1024);
  });

  it('fails at the echo when nothing comes back once connected', () => {
    const a = only('host-silent-after-connect');
    expect(a.outcome).toBe('timeout');
    expect(a.stage).toBe('echo');
    expect(a.errorMessage).toMatch(/no ping came back/);
  });

  it('reports a complete bulk sample on a clean path', () => {
    expect(only('host-success').metrics.throughputComplete).toBe(true);
  });

  it('is aborted cleanly when cancelled mid-handshake', () => {
    const { attempts, eventNames } = caseOf('cancel-mid-handshake');
    expect(attempts).toHaveLength(1);
    expect(attempts[0]?.outcome).toBe('aborted');
    expect(attempts[0]?.metrics.path).toBe('host');
    expect(eventNames).toContain('signal.teardown.success');
  });

  it('tears down five pairs cancelled at once mid-handshake', () => {
    const { attempts } = caseOf('concurrent-teardown');
    expect(attempts).toHaveLength(5);
    for (const a of attempts) expect(a.outcome).toBe('aborted');
  });

  it('connects six peer pairs at once', () => {
    const { attempts } = caseOf('concurrent-pairs');
    expect(attempts).toHaveLength(6);
    expect(attempts.map((a) => a.outcome)).toEqual(Array(6).fill('success'));
    for (const a of attempts) expect(a.metrics.path).toBe('host');
  });
});
