import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallReproductionSchema, CallSchema, type Call } from '../../src/contract';
import { runCli } from '../helpers/cli';
import { hasCoturn, startCoturn, type Coturn } from '../helpers/coturn';
import { hasChromium, launchBrowser, type Browser } from '../ui/browser';
import { downloadDump, openInternals, runCall, type IceServer } from './chromium-call';

// Issue 22: the dumps are Chromium's own. A page makes a real call (two RTCPeerConnections, relay
// only) through real coturn; chrome://webrtc-internals writes the dump; the real bin imports it and,
// with --reproduce, diagnoses exactly the call's ICE servers from the same network.

const hasNft = existsSync('/usr/sbin/nft');

describe.skipIf(!hasCoturn || !hasChromium)('calls Chromium made, imported and reproduced', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-calls-'));
  const db = join(dir, 'history.db');
  let turn: Coturn;
  let browser: Browser;
  beforeAll(async () => {
    turn = await startCoturn();
    // the test network is loopback only, which Chromium's WebRTC skips unless told otherwise
    browser = await launchBrowser({ args: ['--allow-loopback-in-peer-connection'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await turn?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const turnUrl = () => `turn:127.0.0.1:${turn.port}?transport=udp`;

  /** The call in Chromium, and the dump its webrtc-internals page downloads. */
  async function callAndDump(name: string, password: string, limitMs: number) {
    const internals = await openInternals(browser);
    try {
      const server: IceServer = { urls: turnUrl(), username: turn.user, credential: password };
      const outcome = await runCall(browser, [server], limitMs);
      return { outcome, dump: await downloadDump(internals, dir, `${name}.json.gz`) };
    } finally {
      for (const page of browser.context.pages()) await page.close();
    }
  }

  /** A config that lends the call's TURN server these credentials, with short timeouts and no retries. */
  function configWith(password: string): string {
    const file = join(dir, `config-${password}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        targets: [{ kind: 'turn', url: turnUrl(), username: turn.user, credential: password }],
        timeouts: { stunMs: 1000, iceGatheringMs: 2000, connectMs: 3000 },
        retry: { maxAttempts: 1 },
      }),
    );
    return file;
  }

  async function imported(dump: string): Promise<{ code: number | null; call: Call }> {
    const run = await runCli(['import-call', dump, '--db', db, '--json'], {
      env: { RTC_TRIAGE_DATA_DIR: dir },
    });
    expect(run.stderr).toBe('');
    return { code: run.code, call: CallSchema.parse(JSON.parse(run.stdout)) };
  }

  async function reproduced(dump: string, password: string) {
    const run = await runCli(
      ['import-call', dump, '--db', db, '--json', '--reproduce', '--config', configWith(password)],
      { env: { RTC_TRIAGE_DATA_DIR: dir }, timeoutMs: 90_000 },
    );
    expect(run.stdout, run.stderr).not.toBe('');
    return { code: run.code, result: CallReproductionSchema.parse(JSON.parse(run.stdout)) };
  }

  const kinds = (call: Call) => call.observations.map((o) => o.kind);

  it('a healthy call: connected over a UDP relay, and the tests agree', async () => {
    const { outcome, dump } = await callAndDump('healthy', turn.password, 30_000);
    expect(outcome).toMatchObject({ state: 'connected', echoed: true });

    const { code, call } = await imported(dump);
    expect(code).toBe(0);
    expect(call).toMatchObject({ format: 'webrtc-internals', outcome: 'connected' });
    expect(call.peerConnections).toHaveLength(2);
    const [pc] = call.peerConnections;
    expect(pc?.iceServers).toEqual([{ urls: [turnUrl()], hasCredentials: false }]);
    expect(pc?.candidates[0]).toMatchObject({
      url: turnUrl(),
      types: { relay: 1 },
      relayProtocols: { udp: 1 },
    });
    expect(pc?.selectedPair).toMatchObject({
      localType: 'relay',
      remoteType: 'relay',
      protocol: 'udp',
      relayProtocol: 'udp',
    });
    expect(pc?.bytesSent).toBeGreaterThan(0);
    expect(pc?.rttMs).not.toBeNull();
    expect(kinds(call)).toEqual(['connected', 'connected']);
    // the dump never held the password, and the stored call does not either
    expect(JSON.stringify(call)).not.toContain(turn.password);

    const { code: exit, result } = await reproduced(dump, turn.password);
    expect(result.report.verdict.kind, result.report.verdict.title).toBe('healthy');
    expect(result.verdictLine).toMatch(
      /^The call connected, and the isolated tests of its ICE servers agree/,
    );
    expect(result.rows).toEqual([expect.objectContaining({ url: turnUrl(), agree: true })]);
    expect(result.report.cleanup.leaked).toBe(0);
    expect(exit).toBe(0);
  }, 120_000);

  it('a wrong TURN password: 401 per server, no relay, and the credentials explain it', async () => {
    const { outcome, dump } = await callAndDump('wrong-password', 'not-the-password', 30_000);
    expect(outcome.errorCodes).toContain(401);

    const { code, call } = await imported(dump);
    expect(code).toBe(1);
    expect(call.outcome).toBe('never-connected');
    expect(kinds(call)).toContain('no-relay-candidate');
    const refused = call.observations.find((o) => o.kind === 'server-errors' && o.code === 401);
    expect(refused).toMatchObject({ url: turnUrl() });
    expect(refused?.summary).toMatch(/refused the credentials \(401 Unauthorized\)/);

    const { code: exit, result } = await reproduced(dump, 'not-the-password');
    expect(result.layer).toBe('credentials');
    expect(result.report.verdict.title).toBe('TURN credentials are rejected');
    expect(result.verdictLine).toMatch(
      /^The call failed because the TURN server refused the credentials \(the call saw 401\)/,
    );
    expect(exit).toBe(1);
  }, 120_000);

  describe.skipIf(!hasNft)('with UDP to the TURN server dropped by this namespace', () => {
    const table = `rtc_triage_calls_${process.pid}`;
    const nft = (...args: string[]) => execFileSync('nft', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    beforeAll(() => {
      nft('add', 'table', 'inet', table);
      // on input, as a firewall on the way would: the packets vanish, nothing answers
      nft('add', 'chain', 'inet', table, 'in', '{ type filter hook input priority 0; }');
      nft('add', 'rule', 'inet', table, 'in', 'udp', 'dport', String(turn.port), 'drop');
    });
    afterAll(() => {
      try {
        nft('delete', 'table', 'inet', table);
      } catch {
        // not made: nothing to remove
      }
    });

    it('701 from the server, no relay, and the verdict: UDP is blocked, TCP works', async () => {
      // Chromium gives up on an unanswered TURN allocation after its STUN retransmissions (~40 s)
      const { outcome, dump } = await callAndDump('udp-blocked', turn.password, 90_000);
      expect(outcome.errorCodes).toContain(701);

      const { call } = await imported(dump);
      expect(call.outcome).toBe('never-connected');
      expect(kinds(call)).toContain('no-relay-candidate');
      const silent = call.observations.find((o) => o.kind === 'server-errors' && o.url === turnUrl());
      expect(silent).toMatchObject({ code: 701 });
      expect(silent?.summary).toMatch(/never answered \(701/);

      const { code, result } = await reproduced(dump, turn.password);
      expect(result.report.verdict).toMatchObject({
        kind: 'network-restricted',
        title: 'UDP is blocked on this network',
      });
      expect(result.layer).toBe('network');
      expect(result.verdictLine).toMatch(
        new RegExp(
          `^The call failed because UDP to your TURN server is blocked on this network; .*TCP ${turn.port}.* works?\\.$`,
        ),
      );
      const cells = result.matrix[0]?.cells ?? [];
      expect(cells.find((c) => c.transport === 'udp' && c.family === 4)).toMatchObject({
        state: 'down',
        cause: 'timeout',
      });
      expect(cells.find((c) => c.transport === 'tcp' && c.port === turn.port && c.family === 4)?.state).toBe(
        'up',
      );
      expect(code).toBe(1);
    }, 180_000);
  });

  it('every import is in the history, and a bundle carries them; inspect shows them', async () => {
    const bundle = join(dir, 'ticket.zip');
    const exported = await runCli(['export', '--out', bundle, '--db', db], {
      env: { RTC_TRIAGE_DATA_DIR: dir },
    });
    expect(exported.code, exported.stderr).toBe(0);
    const inspected = await runCli(['inspect', bundle, '--json'], { env: { RTC_TRIAGE_DATA_DIR: dir } });
    const opened = JSON.parse(inspected.stdout) as { calls: Call[] };
    expect(opened.calls.length).toBeGreaterThanOrEqual(2);
    expect(opened.calls.every((c) => CallSchema.safeParse(c).success)).toBe(true);
    expect(inspected.stdout).not.toContain(turn.password);
    const shown = await runCli(['inspect', bundle], { env: { RTC_TRIAGE_DATA_DIR: dir } });
    expect(shown.stdout).toMatch(/Imported calls \(\d+\):/);
    expect(shown.stdout).toMatch(/No relay candidate was gathered although TURN was configured/);
  }, 60_000);
});
