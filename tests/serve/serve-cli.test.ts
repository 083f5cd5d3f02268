import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ServerStatusSchema } from '../../src/contract';
import { BIN } from '../helpers/cli';
import { startServeCli, type Running } from '../helpers/serve-cli';
import { postJson, rawRequest } from '../helpers/http';
import { skipUnlessIsolated } from '../helpers/isolation';

/** Waits for a condition the child process will make true; bounded by the test's own timeout. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 20));
}

describe.skipIf(skipUnlessIsolated('the serve command tests'))('rtc-triage serve (the command)', () => {
  let running: Running | undefined;
  let dir: string | undefined;

  afterEach(async () => {
    if (running && running.child.exitCode === null) {
      running.child.kill('SIGTERM');
      await running.exited;
    }
    running = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('--lab starts the embedded lab as layer L1 next to the configured servers, and stops on SIGTERM', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rtc-triage-serve-cli-'));
    running = await startServeCli(['--lab', '--db', join(dir, 'history.db')]);
    // loopback too: the address carries a fresh token, and nothing is served without it
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{16,}$/);
    const bare = running.url.split('?')[0]!;
    expect((await rawRequest(bare, { path: '/' })).status).toBe(401);
    expect(running.stderr()).not.toContain('reachable from other machines');
    // (rawRequest sends the address's token as a bearer, as a script would)
    expect((await rawRequest(running.url, { path: '/' })).body).toContain('<div id="root">');
    // (Only looked at, never diagnosed: the default list is public servers.)
    const status = ServerStatusSchema.parse(
      (JSON.parse((await postJson(running.url, 'serverStatus', '{}')).body) as { value: unknown }).value,
    );
    const lab = status.servers.filter((s) => s.layer === 'L1');
    expect(lab.map((s) => s.kind)).toEqual(['stun', 'stun', 'gun', 'peerjs']);
    expect(lab.every((s) => s.configIndex === null && s.url.includes('127.0.0.1'))).toBe(true);
    expect(status.servers.filter((s) => s.configIndex !== null).length).toBeGreaterThan(0);
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
  });

  it('beyond loopback prints an address carrying a token, and refuses requests without it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rtc-triage-serve-cli-'));
    const token = 'cli-test-token-abcdefghijklmnop';
    running = await startServeCli(['--host', '0.0.0.0', '--db', join(dir, 'history.db')], {
      RTC_TRIAGE_SERVE_TOKEN: token,
    });
    expect(running.url).toMatch(new RegExp(`^http://0\\.0\\.0\\.0:\\d+/\\?token=${token}$`));
    // (stderr is another pipe: its line may be read just after the address.)
    await until(() => running?.stderr().includes('reachable from other machines') ?? false);
    const port = new URL(running.url).port;
    const local = `http://127.0.0.1:${port}/`;
    expect((await rawRequest(local, { path: '/' })).status).toBe(401);
    expect((await rawRequest(local, { path: `/?token=${token}` })).status).toBe(303);
    expect((await postJson(local, 'appInfo', '{}', { Authorization: `Bearer ${token}` })).status).toBe(200);
  });

  it('refuses a token that is too short', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rtc-triage-serve-cli-'));
    const child = spawn(process.execPath, [BIN, 'serve', '--host', '0.0.0.0', '--port', '0'], {
      env: { ...process.env, RTC_TRIAGE_SERVE_TOKEN: 'short', RTC_TRIAGE_DATA_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(2);
    expect(stderr).toContain('RTC_TRIAGE_SERVE_TOKEN must be at least 16 characters');
  });
});
