/**
 * The remote partner test end to end: two real `rtc-triage partner` processes meeting through the
 * embedded lab's GUN relay and PeerJS server on loopback, with coturn for the relay path. Runs in
 * the loopback-only namespace of scripts/test.mjs (real WebRTC).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput, PartnerResult } from '../../src/contract';
import { startLab, type Lab } from '../../src/lab';
import { hasCoturn, startCoturn, type Coturn } from '../helpers/coturn';
import { skipUnlessIsolated } from '../helpers/isolation';
import { codeOf, resultOf, startPartner } from '../helpers/partner-cli';
import { freePort } from '../helpers/ports';

const skip = skipUnlessIsolated('the partner CLI tests') || !hasCoturn;
if (!hasCoturn) console.warn('SKIPPED partner CLI tests: coturn (/usr/bin/turnserver) is not installed');

describe.skipIf(skip)('rtc-triage partner, two processes on loopback', () => {
  let lab: Lab;
  let coturn: Coturn;
  let dir: string;
  const configs: Record<string, string> = {};

  /** Writes a config listing the given lab targets (by kind), plus the TURN server when asked. */
  const writeConfig = (name: string, config: ConfigInput) => {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(config));
    configs[name] = file;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rtc-triage-partner-'));
    lab = await startLab();
    coturn = await startCoturn();
    const byKind = (kind: string) => lab.config.targets.filter((t) => t.kind === kind);
    const stunUdp = lab.config.targets.filter((t) => t.kind === 'stun' && !t.url.includes('transport=tcp'));
    const turn = {
      kind: 'turn' as const,
      id: 'coturn',
      url: `turn:127.0.0.1:${coturn.port}?transport=udp`,
      username: coturn.user,
      credential: coturn.password,
    };
    // short liveness: a vanished partner is noticed after max(6 s, 2 x answerMs)
    const timeouts = { answerMs: 2000 };
    writeConfig('gun', { targets: [...stunUdp, ...byKind('gun')], timeouts });
    writeConfig('peerjs', { targets: [...stunUdp, ...byKind('peerjs')], timeouts });
    writeConfig('all', { targets: [...stunUdp, ...byKind('gun'), ...byKind('peerjs'), turn], timeouts });
    const closed = await freePort();
    writeConfig('dead-gun-first', {
      targets: [
        ...stunUdp,
        { kind: 'gun', id: 'dead-gun', url: `http://127.0.0.1:${closed}/gun` },
        ...byKind('peerjs'),
      ],
      timeouts,
    });
  }, 60_000);

  afterAll(async () => {
    await coturn?.stop();
    await lab?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Host and joiner with --json, each with its own history; both results. */
  async function pair(config: string, extraHost: string[] = []) {
    const hostDb = join(dir, `${config}-host-${Date.now()}.db`);
    const joinDb = join(dir, `${config}-join-${Date.now()}.db`);
    const host = startPartner([
      '--host',
      '--json',
      '--config',
      configs[config] as string,
      '--db',
      hostDb,
      ...extraHost,
    ]);
    const code = codeOf(await host.firstLine);
    const joiner = startPartner([
      '--join',
      code,
      '--json',
      '--config',
      configs[config] as string,
      '--db',
      joinDb,
    ]);
    const [h, j] = await Promise.all([host.exited, joiner.exited]);
    return {
      code,
      host: h,
      joiner: j,
      hostDb,
      joinDb,
      hostResult: resultOf(h.stdout),
      joinResult: resultOf(j.stdout),
    };
  }

  function expectSameTable(a: PartnerResult, b: PartnerResult) {
    expect(a.correlationId).toBe(b.correlationId);
    expect(a.paths).toEqual(b.paths);
    expect(a.crossNetwork).toEqual(b.crossNetwork);
  }

  function storedAttempts(db: string) {
    const sqlite = new BetterSqlite3(db, { readonly: true });
    try {
      return sqlite
        .prepare(
          'SELECT probe, correlation_id AS correlationId, outcome, metrics_json AS metrics FROM attempts ORDER BY started_at',
        )
        .all() as Array<{ probe: string; correlationId: string; outcome: string; metrics: string }>;
    } finally {
      sqlite.close();
    }
  }

  it('pairs through the GUN relay: the host prints the code first, both end with the same table', async () => {
    const run = await pair('gun');
    expect(JSON.parse(run.host.stdout.split('\n')[0] as string)).toEqual({
      code: run.code,
      expiresAt: expect.any(String),
    });
    expect(run.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    for (const result of [run.hostResult, run.joinResult]) {
      expect(result.schema).toBe('rtc-triage/partner@1');
      expect(result.status).toBe('completed');
      expect(result.pairedVia?.kind).toBe('gun');
      expect(result.cleanup.leaked).toBe(0);
      expect(result.cleanup.opened).toBe(result.cleanup.released);
    }
    expect(run.hostResult.role).toBe('host');
    expect(run.joinResult.role).toBe('join');
    expectSameTable(run.hostResult, run.joinResult);
    const [hostPath, srflx, relay] = run.hostResult.paths;
    expect(hostPath).toMatchObject({ path: 'host', outcome: 'success' });
    expect(hostPath?.metrics).toMatchObject({ sameNetwork: true, pings: 10, burstSent: 200, lossPct: 0 });
    // the quality figures (contract/quality.ts): RTT p50/p95 and jitter over the pings, loss, throughput
    for (const figure of ['rttMsP50', 'rttMsP95', 'jitterMs', 'throughputKbps'])
      expect(typeof hostPath?.metrics[figure], figure).toBe('number');
    // loopback: no NAT on either side, so there is no separate reflexive path to try
    expect(srflx).toMatchObject({ path: 'srflx', outcome: 'skipped' });
    expect(relay).toMatchObject({
      path: 'relay',
      outcome: 'skipped',
      message: 'no TURN server in either config',
    });
    // one network: the host-only session proves the local path, not a cross-network one
    expect(run.hostResult.crossNetwork).toMatchObject({ result: 'untested', sameNetwork: true, path: null });
    expect(run.host.code).toBe(0);
    expect(run.joiner.code).toBe(0);
    // the lab's relay is on loopback: both sides are told a partner elsewhere could never pair
    for (const side of [run.host, run.joiner])
      expect(side.stderr).toMatch(
        /^warning: A partner on another network can never pair with you: .*127\.0\.0\.1/m,
      );

    // both histories hold the attempts under the one correlation id
    for (const db of [run.hostDb, run.joinDb]) {
      const attempts = storedAttempts(db);
      expect(attempts.map((a) => a.probe)).toEqual(['partner-rendezvous', 'partner-session']);
      expect(new Set(attempts.map((a) => a.correlationId))).toEqual(new Set([run.hostResult.correlationId]));
    }
  }, 90_000);

  it('pairs through the PeerJS server', async () => {
    const run = await pair('peerjs');
    expect(run.hostResult.status).toBe('completed');
    expect(run.joinResult.pairedVia?.kind).toBe('peerjs');
    expectSameTable(run.hostResult, run.joinResult);
    expect(run.hostResult.paths[0]?.outcome).toBe('success');
    expect(run.joiner.code).toBe(0);
  }, 90_000);

  it('runs the relay-only session through coturn: cross-network proven, path relay', async () => {
    const run = await pair('all');
    expectSameTable(run.hostResult, run.joinResult);
    const relay = run.hostResult.paths.find((p) => p.path === 'relay');
    expect(relay).toMatchObject({ server: expect.stringContaining(`:${coturn.port}`), outcome: 'success' });
    expect(relay?.metrics).toMatchObject({
      localCandidateType: 'relay',
      remoteCandidateType: 'relay',
      burstSent: 200,
    });
    expect(run.hostResult.crossNetwork).toMatchObject({ result: 'pass', path: 'relay', needsTurn: null });
    // the first server in config order pairs them
    expect(run.hostResult.pairedVia?.kind).toBe('gun');
    expect(run.hostResult.verdict?.crossNetwork).toBe('pass');
    expect(run.hostResult.verdict?.local).toBe('pass');
    expect(run.hostResult.verdict?.evidence.map((e) => e.summary).join('\n')).toMatch(
      /partner test, relay-only session through turn:/,
    );
    expect(run.host.code).toBe(0);
    for (const db of [run.hostDb, run.joinDb]) {
      const sessions = storedAttempts(db).filter((a) => a.probe === 'partner-session');
      expect(sessions.map((a) => JSON.parse(a.metrics).path)).toEqual(['host', 'relay']);
    }
  }, 120_000);

  it('falls back to the next signaling server when the first is down, and records why', async () => {
    const run = await pair('dead-gun-first');
    expect(run.joinResult.status).toBe('completed');
    expect(run.joinResult.pairedVia?.kind).toBe('peerjs');
    expect(run.joinResult.rendezvous.map((r) => [r.targetId, r.outcome])).toEqual([
      ['dead-gun', 'error'],
      ['lab-peerjs', 'success'],
    ]);
    expect(run.joinResult.rendezvous[0]?.errorClass).toBe('refused');
  }, 90_000);

  it('refuses a wrong code with a clear message (exit 2), and a malformed one before anything starts', async () => {
    const wrong = startPartner([
      '--join',
      'ZZZZ-9999',
      '--json',
      '--config',
      configs.all as string,
      '--db',
      join(dir, 'wrong.db'),
    ]);
    const done = await wrong.exited;
    expect(done.code).toBe(2);
    const result = resultOf(done.stdout);
    expect(result).toMatchObject({ status: 'code-rejected', codeProblem: 'not-found', paths: [] });
    expect(result.message).toMatch(/no tester is waiting for code ZZZZ-9999/);
    expect(result.cleanup.leaked).toBe(0);
    // a typo is not an outage: nothing is recorded against the servers
    expect(storedAttempts(join(dir, 'wrong.db'))).toEqual([]);

    const malformed = startPartner([
      '--join',
      'hello',
      '--config',
      configs.all as string,
      '--db',
      join(dir, 'bad.db'),
    ]);
    const bad = await malformed.exited;
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/"hello" is not a partner code: a code is 8 letters and digits/);
  }, 60_000);

  it('refuses an expired code: the host ends unjoined, a later joiner hears "expired"', async () => {
    const host = startPartner([
      '--host',
      '--json',
      '--code-ttl',
      '1s',
      '--config',
      configs.all as string,
      '--db',
      join(dir, 'exp-h.db'),
    ]);
    const code = codeOf(await host.firstLine);
    const ended = await host.exited;
    expect(ended.code).toBe(1);
    expect(resultOf(ended.stdout)).toMatchObject({ status: 'expired', paths: [] });
    const late = startPartner([
      '--join',
      code.toLowerCase(),
      '--json',
      '--config',
      configs.all as string,
      '--db',
      join(dir, 'exp-j.db'),
    ]);
    const done = await late.exited;
    expect(done.code).toBe(2);
    const result = resultOf(done.stdout);
    expect(result).toMatchObject({ status: 'code-rejected', codeProblem: 'expired' });
    expect(result.message).toMatch(/this code has expired/);
  }, 60_000);

  it('a code works once: a second joiner hears "already been used", during the test and after it', async () => {
    const host = startPartner([
      '--host',
      '--json',
      '--config',
      configs.all as string,
      '--db',
      join(dir, 'once-h.db'),
    ]);
    const code = codeOf(await host.firstLine);
    const first = startPartner([
      '--join',
      code,
      '--config',
      configs.all as string,
      '--db',
      join(dir, 'once-j1.db'),
    ]);
    await first.stderrMatch(/^paired through/);
    const during = await startPartner([
      '--join',
      code,
      '--json',
      '--config',
      configs.peerjs as string,
      '--db',
      join(dir, 'once-j2.db'),
    ]).exited;
    expect(during.code).toBe(2);
    expect(resultOf(during.stdout)).toMatchObject({ status: 'code-rejected', codeProblem: 'used' });
    expect(resultOf(during.stdout).message).toMatch(/this code has already been used/);
    const [h, j] = await Promise.all([host.exited, first.exited]);
    expect(resultOf(h.stdout).status).toBe('completed');
    expect(j.code).toBe(0);
    const after = await startPartner([
      '--join',
      code,
      '--json',
      '--config',
      configs.gun as string,
      '--db',
      join(dir, 'once-j3.db'),
    ]).exited;
    expect(after.code).toBe(2);
    expect(resultOf(after.stdout)).toMatchObject({ status: 'code-rejected', codeProblem: 'used' });
  }, 120_000);

  for (const victim of ['joiner', 'host'] as const) {
    it(`a ${victim} killed mid-session: the other side ends within its silence limit, classified, nothing leaked`, async () => {
      const host = startPartner([
        '--host',
        '--config',
        configs.all as string,
        '--db',
        join(dir, `kill-${victim}-h.db`),
        '--json',
      ]);
      const code = codeOf(await host.firstLine);
      const joiner = startPartner([
        '--join',
        code,
        '--config',
        configs.all as string,
        '--db',
        join(dir, `kill-${victim}-j.db`),
      ]);
      // the first session is under way once the pair has met
      await joiner.stderrMatch(/^paired through/);
      const killed = victim === 'joiner' ? joiner : host;
      const survivor = victim === 'joiner' ? host : joiner;
      killed.child.kill('SIGKILL');
      await killed.exited;
      if (victim === 'host') {
        // the survivor printed its table without --json: check its words, then nothing more to parse
        const done = await survivor.exited;
        expect(done.code).toBe(1);
        expect(done.stdout).toMatch(/Partner test \(join\): partner-lost/);
        expect(done.stdout).toMatch(/leaked 0;/);
        return;
      }
      const done = await survivor.exited;
      expect(done.code).toBe(1);
      const result = resultOf(done.stdout);
      expect(result.status).toBe('partner-lost');
      expect(result.message).toMatch(/partner (was lost|stopped answering|gone)/);
      expect(result.cleanup.leaked).toBe(0);
      expect(result.cleanup.opened).toBe(result.cleanup.released);
      // the session under way is aborted (proves nothing about the network), later ones never ran
      const ran = result.paths.filter((p) => p.stage !== 'not-started' && p.outcome !== 'skipped');
      expect(ran.at(-1)?.outcome).toBe('aborted');
      expect(ran.at(-1)?.metrics.partnerLost).toBe(true);
      for (const later of result.paths
        .slice(result.paths.indexOf(ran.at(-1) as never) + 1)
        .filter((p) => p.outcome !== 'skipped'))
        expect(later).toMatchObject({ outcome: 'aborted', stage: 'not-started' });
    }, 90_000);
  }

  it('refuses bad usage: neither or both modes, --code-ttl on a joiner, a config without a signaling server', async () => {
    const neither = await startPartner(['--config', configs.all as string]).exited;
    expect(neither.code).toBe(2);
    expect(neither.stderr).toMatch(/exactly one of --host/);
    const ttl = await startPartner(['--join', 'ABCD-EFGH', '--code-ttl', '5m']).exited;
    expect(ttl.code).toBe(2);
    const noSignaling = join(dir, 'stun-only.json');
    writeFileSync(noSignaling, JSON.stringify({ targets: [{ kind: 'stun', url: 'stun:127.0.0.1:9' }] }));
    const none = await startPartner(['--host', '--config', noSignaling]).exited;
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no signaling server/);
    const help = await startPartner(['--help']).exited;
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/rtc-triage partner --join CODE/);
  }, 60_000);
});
