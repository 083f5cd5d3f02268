/**
 * The scenario on real kernel NATs: two testers in lanA and lanB behind different NATs meet
 * through the GUN relay (then the PeerJS server) in `pub`; the direct path works through
 * port-preserving NATs and fails through a symmetric one, while the relay path works; the verdict
 * says so. Everything runs in a child's nested namespaces (tests/netns-child/partner-two-nat.ts).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PartnerResultSchema, type PartnerResult } from '../../src/contract';
import { BIN } from '../helpers/cli';
import { hasCoturn } from '../helpers/coturn';
import { bundleChild, netnsSupport, runInNetns, type ChildRun } from '../helpers/netns';

const support = netnsSupport();
const missing = !support.ok
  ? support.reason
  : !hasCoturn
    ? 'coturn (/usr/bin/turnserver) is not installed'
    : !existsSync('/usr/sbin/nft')
      ? 'nft (/usr/sbin/nft) is not installed'
      : !existsSync('/usr/bin/nsenter') || !existsSync('/usr/bin/setpriv')
        ? 'nsenter/setpriv (util-linux) are not installed'
        : process.getuid?.() !== 0
          ? 'building veth pairs and NATs needs root in the test namespace'
          : null;
if (missing) console.warn(`SKIPPED the two-NAT partner test: ${missing}`);

interface Side {
  code: number | null;
  result: unknown;
  stderr: string;
}

describe.skipIf(missing !== null)('partner test across two NATs (lanA, lanB, real nft NATs)', () => {
  let run: ChildRun;
  let script = '';
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rtc-triage-two-nat-'));
    script = await bundleChild('tests/netns-child/partner-two-nat.ts');
    run = await runInNetns(script, [BIN, dir], 240_000);
  }, 300_000);
  afterAll(() => {
    rmSync(script, { force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  function sides(name: string): {
    host: PartnerResult;
    join: PartnerResult;
    raw: { host: Side; join: Side };
  } {
    const line = run.cases.get(name) as unknown as { host: Side; join: Side } | undefined;
    expect(line, `scenario ${name} missing; child exit ${run.code}; stderr:\n${run.stderr}`).toBeDefined();
    const raw = line as { host: Side; join: Side };
    const host = PartnerResultSchema.safeParse(raw.host.result);
    const join = PartnerResultSchema.safeParse(raw.join.result);
    expect(host.success, raw.host.stderr).toBe(true);
    expect(join.success, raw.join.stderr).toBe(true);
    return { host: host.data as PartnerResult, join: join.data as PartnerResult, raw };
  }

  const byPath = (result: PartnerResult, path: string) => result.paths.find((p) => p.path === path);

  it('runs both scenarios in a child that exits cleanly', () => {
    expect(run.code, run.stderr).toBe(0);
  });

  it('port-preserving NATs: paired through the GUN relay, the direct path works, no TURN needed', () => {
    const { host, join, raw } = sides('port-preserving');
    for (const side of [host, join]) {
      expect(side.status).toBe('completed');
      expect(side.pairedVia?.kind).toBe('gun');
      expect(side.cleanup.leaked).toBe(0);
    }
    expect(join.paths).toEqual(host.paths);
    // private addresses do not route between the two networks: host-only cannot connect
    expect(byPath(host, 'host')?.outcome).not.toBe('success');
    const direct = byPath(host, 'srflx');
    expect(direct?.outcome).toBe('success');
    expect(typeof direct?.metrics.rttMsP50).toBe('number');
    expect(direct?.metrics.burstSent).toBe(200);
    expect(typeof direct?.metrics.throughputKbps).toBe('number');
    expect(byPath(host, 'relay')?.outcome).toBe('success');
    expect(host.crossNetwork).toMatchObject({
      result: 'pass',
      path: 'direct',
      needsTurn: false,
      sameNetwork: false,
    });
    expect(host.verdict?.kind).toBe('healthy');
    expect(host.verdict?.crossNetwork).toBe('pass');
    expect(host.verdict?.message).toMatch(/connected directly \(this network does not need TURN\)/);
    expect(raw.host.code).toBe(0);
    expect(raw.join.code).toBe(0);
  });

  it('a symmetric NAT: paired through the PeerJS server, direct fails, the relay works, and the verdict says TURN is needed', () => {
    const { host, join, raw } = sides('symmetric');
    for (const side of [host, join]) {
      expect(side.status).toBe('completed');
      expect(side.pairedVia?.kind).toBe('peerjs');
      expect(side.cleanup.leaked).toBe(0);
    }
    expect(join.paths).toEqual(host.paths);
    expect(byPath(host, 'srflx')?.outcome).not.toBe('success');
    expect(byPath(host, 'srflx')?.outcome).not.toBe('skipped');
    const relay = byPath(host, 'relay');
    expect(relay?.outcome).toBe('success');
    expect(relay?.metrics).toMatchObject({ localCandidateType: 'relay', remoteCandidateType: 'relay' });
    expect(host.crossNetwork).toMatchObject({ result: 'pass', path: 'relay', needsTurn: true });
    for (const side of [host, join]) {
      expect(side.verdict?.kind).toBe('network-restricted');
      expect(side.verdict?.title).toBe('This network needs a TURN relay (proven with a partner)');
    }
    expect(raw.host.code).toBe(1);
    expect(raw.join.code).toBe(1);
  });
});
