import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLabCerts } from '../helpers/certs';
import { runCli } from '../helpers/cli';
import { hasCoturn, startCoturn, type Coturn } from '../helpers/coturn';

// Issue 18, item 1: `tls.caFile` in the config file, relative to it, checked when the config loads.

describe.skipIf(!hasCoturn)('rtc-triage diagnose with tls.caFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-tls-cli-'));
  let turn: Coturn;
  let soon: Coturn;
  beforeAll(async () => {
    const certs = makeLabCerts(join(dir, 'conf', 'certs'));
    turn = await startCoturn({ tls: certs.good });
    soon = await startCoturn({ tls: certs.soon });
  }, 60_000);
  afterAll(async () => {
    await turn?.stop();
    await soon?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const config = (name: string, tls: unknown) => {
    const file = join(dir, 'conf', name);
    mkdirSync(join(dir, 'conf'), { recursive: true });
    writeFileSync(
      file,
      JSON.stringify({
        targets: [
          {
            kind: 'turn',
            url: `turns:127.0.0.1:${turn.tlsPort}`,
            username: turn.user,
            credential: turn.password,
          },
        ],
        timeouts: { stunMs: 2000, iceGatheringMs: 2000, connectMs: 3000 },
        retry: { maxAttempts: 1 },
        ...(tls === undefined ? {} : { tls }),
      }),
    );
    return file;
  };
  const allocation = (stdout: string) =>
    (
      JSON.parse(stdout) as {
        attempts: Array<{
          probe: string;
          outcome: string;
          errorMessage: string | null;
          metrics: Record<string, unknown>;
        }>;
      }
    ).attempts.find((a) => a.probe === 'turn-allocation');

  it('a CA named relative to the config file is trusted for turns: (run from another folder)', async () => {
    const run = await runCli(
      [
        'diagnose',
        '--config',
        config('trusted.json', { caFile: 'certs/ca.pem' }),
        '--db',
        join(dir, 'a.db'),
        '--json',
      ],
      {
        env: { RTC_TRIAGE_DATA_DIR: dir },
      },
    );
    const a = allocation(run.stdout);
    expect(a?.errorMessage ?? null).toBeNull();
    expect(a?.outcome).toBe('success');
    expect(a?.metrics.tlsIssuer).toBe('RTC Triage Lab CA');
  });

  it('a certificate expiring within 14 days is named in the verdict, on the real bin', async () => {
    const file = join(dir, 'conf', 'soon.json');
    writeFileSync(
      file,
      JSON.stringify({
        targets: [
          {
            kind: 'turn',
            url: `turns:127.0.0.1:${soon.tlsPort}`,
            username: soon.user,
            credential: soon.password,
          },
        ],
        tls: { caFile: 'certs/ca.pem' },
        retry: { maxAttempts: 1 },
      }),
    );
    const run = await runCli(['diagnose', '--config', file, '--db', join(dir, 's.db'), '--json'], {
      env: { RTC_TRIAGE_DATA_DIR: dir },
    });
    const report = JSON.parse(run.stdout) as { verdict: { action: string } };
    expect(report.verdict.action).toMatch(
      new RegExp(
        `Also: renew the TLS certificate of turns:127\\.0\\.0\\.1:${soon.tlsPort} before \\d{4}-\\d{2}-\\d{2} \\(5 days left\\)`,
      ),
    );
  });

  it('without it the same server is untrusted, with the fix named', async () => {
    const run = await runCli(
      ['diagnose', '--config', config('plain.json', undefined), '--db', join(dir, 'b.db'), '--json'],
      {
        env: { RTC_TRIAGE_DATA_DIR: dir },
      },
    );
    expect(allocation(run.stdout)?.errorMessage).toMatch(/does not trust .*"tls": \{ "caFile"/);
  });

  it.each([
    ['missing.json', { caFile: 'certs/nope.pem' }, /tls\.caFile: cannot read .*nope\.pem/],
    ['not-pem.json', { caFile: 'trusted.json' }, /tls\.caFile: .*trusted\.json holds no PEM certificate/],
    ['unknown.json', { caFile: 'certs/ca.pem', verify: false }, /tls: unknown field\(s\): verify/],
  ])('%s is a config error naming tls.caFile (exit 2)', async (name, tls, message) => {
    const run = await runCli(['diagnose', '--config', config(name, tls), '--db', join(dir, 'c.db')], {
      env: { RTC_TRIAGE_DATA_DIR: dir },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});
