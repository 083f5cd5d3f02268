import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson } from '../helpers/http';
import { skipUnlessIsolated } from '../helpers/isolation';
import { startServeCli, type Running } from '../helpers/serve-cli';

// Issue 19: `serve` on loopback took no token, so any other local user (tested as `nobody`) could
// call listTargets (saved TURN passwords) and exportBundle with redact:false. The real bin is
// started as this user; the attack runs in a separate process as `nobody` when the suite is root.

const CREDENTIAL = 'saved-turn-password-4b7e';
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

/** One POST from another process, as `nobody` when we can switch to it; answers status and body. */
function callAsOtherUser(
  url: string,
  method: string,
  args: unknown,
): Promise<{ status: number; body: string }> {
  const script = `
    const [url, method, body] = process.argv.slice(1);
    fetch(new URL('/api/call/' + method, url), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })
      .then(async (r) => { process.stdout.write(JSON.stringify({ status: r.status, body: await r.text() })); })
      .catch((e) => { process.stderr.write(String(e)); process.exit(3); });`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, url, method, JSON.stringify(args)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: '/',
      ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out) as { status: number; body: string }) : reject(new Error(err)),
    );
  });
}

describe.skipIf(skipUnlessIsolated('the serve loopback token test'))(
  'serve on loopback needs its token',
  () => {
    let dir: string;
    let running: Running;
    let bare: string;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'rtc-triage-serve-loopback-'));
      running = await startServeCli(['--db', join(dir, 'history.db')], { RTC_TRIAGE_DATA_DIR: dir });
      bare = running.url.split('?')[0]!;
      // the owner saves a TURN server through the UI's API, with the printed token
      const saved = await postJson(
        running.url,
        'saveTargets',
        JSON.stringify({
          targets: [{ kind: 'turn', url: 'turn:127.0.0.1:3478', username: 'owner', credential: CREDENTIAL }],
        }),
      );
      expect(saved.status).toBe(200);
    });

    afterAll(async () => {
      if (running?.child.exitCode === null) {
        running.child.kill('SIGTERM');
        await running.exited;
      }
      rmSync(dir, { recursive: true, force: true });
    });

    it.each([
      ['listTargets', {}],
      ['exportBundle', { redact: false, sinceMs: 86_400_000 }],
      ['getSettings', {}],
    ])('another user calling %s without the token gets 401 and no data', async (method, args) => {
      const answer = await callAsOtherUser(bare, method, args);
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.body)).toMatchObject({ ok: false, error: { code: 'TOKEN_REQUIRED' } });
      expect(answer.body).not.toContain(CREDENTIAL);
    });

    it('the owner, with the printed address, still gets in', async () => {
      const answer = await postJson(running.url, 'listTargets', '{}');
      expect(answer.status).toBe(200);
      expect(answer.body).toContain(CREDENTIAL);
    });
  },
);
