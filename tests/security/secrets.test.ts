import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_FILES, type ConfigInput } from '../../src/contract';
import { readZipEntries } from '../../src/core/bundle/safe-zip';
import {
  startLabGunRelay,
  startLabPeerJsServer,
  type LabGunRelay,
  type LabPeerJsServer,
} from '../../src/lab';
import { runCli, type CliResult } from '../helpers/cli';
import { hasCoturn, startCoturn, type Coturn } from '../helpers/coturn';
import { freePort } from '../helpers/ports';

// Issue 19: secrets inside signaling URLs (userinfo, ?access_token=…) and the PeerJS key survived
// redaction: they were in the database, the log and a redacted bundle (config.json, targets, attempts,
// events, verdict, logs), and the PeerJS "Invalid key" message quoted the key. This runs a real
// diagnosis of real servers with every secret shape the config schema allows, then scans every
// byte the product wrote.

const PEERJS_KEY = 'pjs-secret-key-5e1f';
const SECRETS = {
  gunUser: 'gunuser-a71c',
  gunPassword: 'gun-pw-9d2e',
  gunToken: 'tok-51ab-secret',
  downPassword: 'down-pw-33f0',
  downToken: 'down-tok-9911',
  peerjsKey: PEERJS_KEY,
  wrongPeerjsKey: 'wrong-pjs-key-42c8',
  peerjsUserPassword: 'pj-pw-8c1b',
  turnWrongCredential: 'wrong-cred-77aa',
} as const;

const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-secrets-'));
const db = join(dir, 'data', 'history.db');
const configPath = join(dir, 'config.json');
const env = { RTC_TRIAGE_DATA_DIR: join(dir, 'data') };
let gun: LabGunRelay;
let peerjs: LabPeerJsServer;
let turn: Coturn | null = null;
let turnSecrets: string[] = [];
const outputs: Array<{ what: string; result: CliResult }> = [];

beforeAll(async () => {
  gun = await startLabGunRelay();
  peerjs = await startLabPeerJsServer({ key: PEERJS_KEY });
  if (hasCoturn) turn = await startCoturn();
  const closed = await freePort();
  const gunUrl = new URL(gun.url);
  const peerUrl = new URL(peerjs.url);
  const config: ConfigInput = {
    targets: [
      {
        kind: 'gun',
        url: `http://${SECRETS.gunUser}:${SECRETS.gunPassword}@${gunUrl.host}${gunUrl.pathname}?access_token=${SECRETS.gunToken}&room=lab`,
      },
      {
        kind: 'gun',
        url: `http://down:${SECRETS.downPassword}@127.0.0.1:${closed}/gun?token=${SECRETS.downToken}`,
      },
      { kind: 'peerjs', url: peerjs.url, key: SECRETS.peerjsKey },
      { kind: 'peerjs', id: 'wrong-key', url: peerjs.url, key: SECRETS.wrongPeerjsKey },
      {
        kind: 'peerjs',
        url: `http://pj:${SECRETS.peerjsUserPassword}@${peerUrl.host}${peerUrl.pathname}`,
        key: SECRETS.peerjsKey,
      },
      ...(turn
        ? [
            {
              kind: 'turn' as const,
              url: `turn:127.0.0.1:${turn.port}?transport=udp`,
              username: turn.user,
              credential: turn.password,
            },
            {
              kind: 'turn' as const,
              id: 'wrong-credential',
              url: `turn:127.0.0.1:${turn.port}?transport=udp`,
              username: turn.user,
              credential: SECRETS.turnWrongCredential,
            },
          ]
        : []),
    ],
    timeouts: { stunMs: 1500, iceGatheringMs: 3000, offerMs: 3000, answerMs: 3000, connectMs: 5000 },
    retry: { maxAttempts: 1 },
  };
  if (turn) turnSecrets = [turn.password];
  writeFileSync(configPath, JSON.stringify(config));

  const run = async (what: string, args: string[]) =>
    outputs.push({ what, result: await runCli(args, { env, timeoutMs: 120_000 }) });
  await run('diagnose', ['diagnose', '--config', configPath, '--db', db, '--json']);
  await run('diagnose text', ['diagnose', '--config', configPath, '--db', db]);
  await run('history', ['history', '--db', db, '--json']);
  await run('export', ['export', '--config', configPath, '--db', db, '--out', join(dir, 'redacted.zip')]);
  await run('export --no-redact', [
    'export',
    '--config',
    configPath,
    '--db',
    db,
    '--no-redact',
    '--out',
    join(dir, 'plain.zip'),
  ]);
  await run('inspect', ['inspect', join(dir, 'plain.zip')]);
  await run('inspect --json', ['inspect', '--json', join(dir, 'plain.zip')]);
}, 300_000);

afterAll(async () => {
  await gun?.close();
  await peerjs?.close();
  await turn?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function allSecrets(): string[] {
  const values = [...Object.values(SECRETS), ...turnSecrets];
  return [...new Set([...values, ...values.map(encodeURIComponent)])];
}

/** Every secret found in one text, by name. */
function leaks(text: string): string[] {
  return allSecrets().filter((secret) => text.includes(secret));
}

describe('no secret in any artefact (issue 19)', () => {
  it('the diagnosis really talked to the servers (so the scan means something)', () => {
    const report = JSON.parse(outputs[0]!.result.stdout) as {
      targets: Array<{ id: string; url: string; status: string }>;
      attempts: Array<{ targetId: string; errorMessage: string | null }>;
    };
    const byUrl = (part: string) => report.targets.filter((t) => t.url.includes(part));
    // the GUN relay with userinfo and a token is reached and shown by its public URL
    const [gunTarget] = byUrl(`${new URL(gun.url).host}/gun`);
    expect(gunTarget?.url).toBe(
      `http://[secret]@${new URL(gun.url).host}/gun?access_token=[secret]&room=lab`,
    );
    expect(gunTarget?.status).toBe('up');
    // the wrong PeerJS key is refused and the message says so without quoting it
    const wrong = report.attempts.filter((a) => a.targetId === 'wrong-key' && a.errorMessage);
    expect(wrong.some((a) => /refused the configured API key \(Invalid key\)/.test(a.errorMessage!))).toBe(
      true,
    );
    if (turn) expect(report.targets.find((t) => t.id === 'wrong-credential')?.status).not.toBe('up');
  });

  it('nothing the commands printed holds a secret', () => {
    for (const { what, result } of outputs) {
      // diagnose and history exit 1 on a problem verdict (some of these servers are wrong on purpose)
      const expected = /^(diagnose|history)/.test(what) && result.code === 1 ? 1 : 0;
      expect({
        what,
        code: result.code,
        leaks: leaks(result.stdout + result.stderr),
        ...(result.code === expected ? {} : { stderr: result.stderr }),
      }).toEqual({ what, code: expected, leaks: [] });
    }
  });

  it('the database files hold no secret', () => {
    const files = readdirSync(join(dir, 'data')).filter((f) => f.startsWith('history.db'));
    expect(files).toContain('history.db');
    for (const file of files) {
      const bytes = readFileSync(join(dir, 'data', file)).toString('latin1');
      expect({ file, leaks: leaks(bytes) }).toEqual({ file, leaks: [] });
    }
  });

  it('the log files hold no secret', () => {
    const logs = join(dir, 'data', 'logs');
    expect(existsSync(logs)).toBe(true);
    const files = readdirSync(logs);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const text = readFileSync(join(logs, file), 'utf8');
      expect({ file, leaks: leaks(text) }).toEqual({ file, leaks: [] });
    }
  });

  it.each(['redacted.zip', 'plain.zip'])('every file of %s holds no secret', async (name) => {
    const entries = await readZipEntries(join(dir, name), new Set(Object.values(BUNDLE_FILES)));
    expect([...entries.keys()].sort()).toEqual(Object.values(BUNDLE_FILES).sort());
    for (const [file, bytes] of entries) {
      expect({ file, leaks: leaks(bytes.toString('utf8')) }).toEqual({ file, leaks: [] });
    }
    // the config says which fields had secrets, so a reader knows something was taken out
    const config = JSON.parse(entries.get('config.json')!.toString('utf8')) as {
      targets: Array<{ kind: string; url: string; secretsRemoved?: string[] }>;
    };
    const gunEntry = config.targets.find((t) => t.kind === 'gun' && t.url.includes('room=lab'));
    expect(gunEntry?.secretsRemoved).toEqual(['url']);
    expect(config.targets.filter((t) => t.kind === 'peerjs').map((t) => t.secretsRemoved)).toEqual([
      ['key'],
      ['key'],
      ['url', 'key'],
    ]);
  });
});
