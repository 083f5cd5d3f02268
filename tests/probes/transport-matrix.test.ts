import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrixOf, ReportSchema, type MatrixCell } from '../../src/contract';
import type { LookupFn } from '../../src/core/probes/lookup';
import { transportMatrixProbe } from '../../src/core/probes/transport-matrix';
import type { Probe } from '../../src/core/probes/types';
import { makeLabCerts } from '../helpers/certs';
import { runCli } from '../helpers/cli';
import { hasCoturn, startCoturn, type Coturn } from '../helpers/coturn';
import { freePort } from '../helpers/ports';
import { runProbe } from '../helpers/probe';

// Issue 18, item 2: one TURN URL, tried over UDP/TCP/TLS × IPv4/IPv6 against real coturn (dual
// stack, TLS from a lab CA), and the verdict it decides when the network lets only port 443 out.

const probe = transportMatrixProbe as unknown as Probe;
const hasNft = existsSync('/usr/sbin/nft');

/** `localhost` as a dual-stack name: this machine's hosts file has no ::1 entry for it. */
const dualStack: LookupFn = async (host, family) => {
  if (host !== 'localhost') throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
  return family === 6 ? { address: '::1', family: 6 } : { address: '127.0.0.1', family: 4 };
};

const state = (cells: readonly MatrixCell[], transport: string, port: number, family: 4 | 6) =>
  cells.find((c) => c.transport === transport && c.port === port && c.family === family);

describe.skipIf(!hasCoturn)('transport matrix against real coturn', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-matrix-'));
  let turn: Coturn;
  let caFile: string;
  beforeAll(async () => {
    const certs = makeLabCerts(join(dir, 'certs'));
    caFile = certs.caFile;
    turn = await startCoturn({ alsoIp: '::1', tls: certs.good });
  }, 60_000);
  afterAll(async () => {
    await turn?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tries every listed transport over both families of a dual-stack name, one attempt', async () => {
    const closed = await freePort();
    const { attempts, ledger } = await runProbe(
      probe,
      {
        kind: 'turn',
        url: `turn:localhost:${turn.port}?transport=udp`,
        username: turn.user,
        credential: turn.password,
        transports: [`tcp:${turn.port}`, `tls:${turn.tlsPort}`, `tcp:${closed}`],
      },
      { lookup: dualStack, tlsCa: readFileSync(caFile, 'utf8'), maxAttempts: 3 },
    );
    expect(attempts).toHaveLength(1);
    const [attempt] = attempts;
    expect(attempt?.errorMessage ?? null).toBeNull();
    expect(attempt?.outcome).toBe('success');
    const [row] = matrixOf([{ id: attempt?.targetId ?? '', url: 'x' }], attempts);
    const cells = row?.cells ?? [];
    expect(cells).toHaveLength(8);
    for (const family of [4, 6] as const) {
      for (const [transport, port] of [
        ['udp', turn.port],
        ['tcp', turn.port],
        ['tls', turn.tlsPort ?? 0],
      ] as const) {
        const cell = state(cells, transport, port, family);
        expect(cell, `${transport}:${port}/${family}: ${cell?.detail}`).toMatchObject({ state: 'up' });
        expect(cell?.rttMs).toBeGreaterThanOrEqual(0);
      }
      // nothing listens there: the server does not offer it, which is no failure
      expect(state(cells, 'tcp', closed, family)).toMatchObject({ state: 'not-offered', cause: 'refused' });
    }
    expect(state(cells, 'udp', turn.port, 4)?.configured).toBe(true);
    expect(ledger.counts().leaked).toBe(0);
  });

  it('an IPv4 address has no IPv6 cells, and the default plan names 5349 and 443', async () => {
    const { attempts } = await runProbe(probe, {
      kind: 'turn',
      url: `turn:127.0.0.1:${turn.port}?transport=tcp`,
      username: turn.user,
      credential: turn.password,
    });
    const cells = matrixOf([{ id: attempts[0]?.targetId ?? '', url: 'x' }], attempts)[0]?.cells ?? [];
    expect(cells.map((c) => `${c.transport}:${c.port}/${c.family}`).slice(0, 5)).toEqual([
      `tcp:${turn.port}/4`,
      `udp:${turn.port}/4`,
      'tls:5349/4',
      'tcp:443/4',
      'tls:443/4',
    ]);
    expect(cells.filter((c) => c.family === 6).every((c) => c.state === 'not-offered')).toBe(true);
    expect(state(cells, 'udp', turn.port, 6)?.detail).toBe('127.0.0.1 has no IPv6 address');
  });

  it('wrong credentials fail every cell once, as credentials (no retries)', async () => {
    const { attempts } = await runProbe(
      probe,
      {
        kind: 'turn',
        url: `turn:127.0.0.1:${turn.port}`,
        username: turn.user,
        credential: 'wrong',
        transports: [`tcp:${turn.port}`],
      },
      { maxAttempts: 3 },
    );
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ outcome: 'error', errorClass: 'server-error' });
    expect(attempts[0]?.metrics).toMatchObject({ errorCode: 401, cause: 'auth' });
  });
});

/**
 * The firewall drill: coturn with TLS on 443, and an nft rule in this test's own network namespace
 * dropping UDP and TCP to coturn's plain port. The configured URL (UDP) times out; the matrix finds TLS
 * on 443, and the verdict says the network, not the server.
 */
describe.skipIf(!hasCoturn || !hasNft)('rtc-triage diagnose when only port 443 gets out', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-matrix-443-'));
  const table = `rtc_triage_matrix_${process.pid}`;
  let turn: Coturn;
  beforeAll(async () => {
    const certs = makeLabCerts(join(dir, 'certs'));
    turn = await startCoturn({ tls: certs.good, tlsPort: 443 });
    const nft = (...args: string[]) => execFileSync('nft', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    nft('add', 'table', 'inet', table);
    // on input, as a firewall on the way would: dropped on output, a send fails at once with EPERM
    nft('add', 'chain', 'inet', table, 'in', '{ type filter hook input priority 0; }');
    nft('add', 'rule', 'inet', table, 'in', 'udp', 'dport', String(turn.port), 'drop');
    nft('add', 'rule', 'inet', table, 'in', 'tcp', 'dport', String(turn.port), 'drop');
  }, 60_000);
  afterAll(async () => {
    try {
      execFileSync('nft', ['delete', 'table', 'inet', table], { stdio: 'ignore' });
    } catch {
      // not made: nothing to remove
    }
    await turn?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says only TLS on port 443 gets through and names the turns: URL to ship', async () => {
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        targets: [
          {
            kind: 'turn',
            id: 'turn-udp',
            url: `turn:127.0.0.1:${turn.port}?transport=udp`,
            username: turn.user,
            credential: turn.password,
          },
        ],
        tls: { caFile: 'certs/ca.pem' },
        timeouts: { stunMs: 1000, iceGatheringMs: 2000, connectMs: 3000 },
        retry: { maxAttempts: 1 },
      }),
    );
    const run = await runCli(['diagnose', '--config', config, '--db', join(dir, 'h.db'), '--json'], {
      env: { RTC_TRIAGE_DATA_DIR: dir },
    });
    expect(run.code, run.stderr).toBe(1);
    const report = ReportSchema.parse(JSON.parse(run.stdout));
    expect(report.verdict.kind).toBe('network-restricted');
    expect(report.verdict.title).toMatch(/^Only (TLS on port 443 gets|TCP and TLS on port 443 get) through/);
    expect(report.verdict.action).toContain('turns:127.0.0.1:443');
    const cells = report.matrix[0]?.cells ?? [];
    expect(state(cells, 'tls', 443, 4)?.state).toBe('up');
    expect(state(cells, 'udp', turn.port, 4)).toMatchObject({
      state: 'down',
      cause: 'timeout',
      configured: true,
    });
    expect(state(cells, 'tcp', turn.port, 4)).toMatchObject({ state: 'down', cause: 'timeout' });

    // the human face prints the same matrix
    const text = await runCli(['diagnose', '--config', config, '--db', join(dir, 'h.db')], {
      env: { RTC_TRIAGE_DATA_DIR: dir },
    });
    expect(text.stdout).toMatch(/Transport matrix/);
    expect(text.stdout).toMatch(/TLS 443/);

    // and so does a bundle: its config names the CA trusted, inspect shows the matrix
    const bundle = join(dir, 'ticket.zip');
    const exported = await runCli(
      ['export', '--out', bundle, '--db', join(dir, 'h.db'), '--config', config],
      {
        env: { RTC_TRIAGE_DATA_DIR: dir },
      },
    );
    expect(exported.code, exported.stderr).toBe(0);
    const inspected = await runCli(['inspect', bundle, '--json'], { env: { RTC_TRIAGE_DATA_DIR: dir } });
    const opened = JSON.parse(inspected.stdout) as {
      config: { tls?: { caFile?: string } };
      attempts: Array<{ probe: string; metrics: Record<string, unknown> }>;
    };
    expect(opened.config.tls?.caFile).toMatch(/ca\.pem$/);
    expect(
      opened.attempts.some((a) => a.probe === 'transport-matrix' && a.metrics['cell:tls:443:4'] === 'up'),
    ).toBe(true);
    const shown = await runCli(['inspect', bundle], { env: { RTC_TRIAGE_DATA_DIR: dir } });
    expect(shown.stdout).toMatch(/Transport matrix[\s\S]*turn-udp\s+IPv4\s+DOWN timeout\*/);
  }, 60_000);
});
