import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli';

const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-monitor-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rtc-triage monitor: usage', () => {
  it('has --help, listed in the main help', async () => {
    const help = await runCli(['monitor', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: rtc-triage monitor [--every 60s] [--metrics-port N]');
    expect(help.stdout).toContain('--raise-after');
    const main = await runCli(['--help']);
    expect(main.stdout).toMatch(/^ {2}monitor {4}/m);
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--every', 'soon'], /--every: "soon" is not a duration/],
    [['--every', '500ms'], /--every: "500ms" is out of range \(1s to 24h\)/],
    [['--metrics-port', '70000'], /--metrics-port: "70000" is not a port number/],
    [['--metrics-host', '0.0.0.0'], /--metrics-host: only with --metrics-port/],
    [['--cycles', '0'], /--cycles: "0" is not a count/],
    [['--raise-after', 'x'], /--raise-after: "x" is not a count/],
  ])('refuses %j with exit 2 and a message naming the flag', async (args, message) => {
    const result = await runCli(['monitor', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('refuses a bad RTC_TRIAGE_PEER_HOSTS, naming it', async () => {
    const config = join(dir, 'ok.json');
    writeFileSync(config, JSON.stringify({ targets: [{ kind: 'stun', url: 'stun:127.0.0.1:3478' }] }));
    const result = await runCli(
      ['monitor', '--config', config, '--db', join(dir, 'env.db'), '--cycles', '1'],
      {
        env: { RTC_TRIAGE_PEER_HOSTS: 'many' },
      },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/RTC_TRIAGE_PEER_HOSTS: "many" is not a number of peer hosts/);
  });

  it('refuses an invalid config (with the field) before starting anything', async () => {
    const config = join(dir, 'bad.json');
    writeFileSync(
      config,
      JSON.stringify({ targets: [{ kind: 'stun', url: 'stun:x' }], flags: { chaos: 'yes' } }),
    );
    const result = await runCli(['monitor', '--config', config, '--db', join(dir, 'h.db')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/flags\.chaos/);
  });
});
