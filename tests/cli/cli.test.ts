import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema, ReportSchema } from '../../src/contract';
import { runCli, startCliLab } from '../helpers/cli';
import { freePort } from '../helpers/ports';
import { skipUnlessIsolated } from '../helpers/isolation';

const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-cli-'));
const write = (name: string, content: unknown) => {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
};

describe('rtc-triage usage errors (exit code 2, the message names the field)', () => {
  it.each([
    ['a bad URL', { targets: [{ kind: 'stun', url: 'stun//127.0.0.1' }] }, /targets\.0\.url/],
    [
      'an unknown kind',
      { targets: [{ kind: 'xmpp', url: 'stun:127.0.0.1' }] },
      /targets\.0\.kind: unknown target kind/,
    ],
    [
      'a port out of range',
      { targets: [{ kind: 'stun', url: 'stun:127.0.0.1:65536' }] },
      /targets\.0\.url: port 65536 is out of range/,
    ],
    [
      'a bad timeout',
      { targets: [{ kind: 'stun', url: 'stun:127.0.0.1' }], timeouts: { stunMs: 'soon' } },
      /timeouts\.stunMs/,
    ],
    [
      // WebRTC refuses it; it used to pass the check, print a verdict and never exit
      'a turn: server without username and credential',
      { targets: [{ kind: 'turn', url: 'turn:127.0.0.1:3478?transport=udp' }] },
      /targets\.0\.username: a TURN server needs a username/,
    ],
    [
      'a turns: server without a credential',
      { targets: [{ kind: 'turn', url: 'turns:127.0.0.1:5349', username: 'u' }] },
      /targets\.0\.credential: a TURN server needs a credential/,
    ],
  ])('refuses a config with %s', async (_what, config, message) => {
    const result = await runCli([
      'diagnose',
      '--config',
      write('bad.json', config),
      '--db',
      join(dir, 'bad.db'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('refuses a config file that is missing or not JSON', async () => {
    expect((await runCli(['diagnose', '--config', join(dir, 'nope.json')])).code).toBe(2);
    const notJson = await runCli(['diagnose', '--config', write('text.json', 'targets: []')]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/not valid JSON/);
  });

  it('refuses unknown flags, unknown commands and stray arguments', async () => {
    const flag = await runCli(['diagnose', '--colour']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/--colour/);
    expect((await runCli(['diagnoze'])).code).toBe(2);
    expect((await runCli(['diagnose', 'extra'])).stderr).toMatch(/unexpected argument ['"]extra['"]/i);
    expect((await runCli(['lab', '--host', '0.0.0.0'])).stderr).toMatch(/loopback/);
    // not an address of this machine (the network lab binds pub's own address)
    expect((await runCli(['lab', '--host', '192.0.2.1'])).stderr).toMatch(/this machine's interfaces/);
  });

  it('has --help on every command, exit 0', async () => {
    for (const args of [['--help'], ['diagnose', '--help'], ['lab', '--help'], ['serve', '--help']]) {
      const result = await runCli(args);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/Usage: rtc-triage/);
    }
  });
});

describe.skipIf(skipUnlessIsolated('diagnose against the lab'))(
  'rtc-triage diagnose against the embedded lab',
  () => {
    let lab: Awaited<ReturnType<typeof startCliLab>>;
    let labConfig: string;

    beforeAll(async () => {
      lab = await startCliLab();
      labConfig = write('lab.json', lab.config);
    });
    afterAll(async () => {
      lab.child.kill('SIGTERM');
      expect(await lab.exited).toBe(0);
    });

    it('`lab --json` prints one line: a valid config listing the lab targets', () => {
      const parsed = ConfigSchema.parse(JSON.parse(lab.config));
      expect(parsed.targets.map((t) => t.kind)).toEqual(['stun', 'stun', 'gun', 'peerjs']);
      expect(parsed.targets.every((t) => t.url.includes('127.0.0.1'))).toBe(true);
    });

    it('exits 0 on a healthy lab, prints a schema-valid report, and stores every attempt in SQLite', async () => {
      const db = join(dir, 'healthy.db');
      const result = await runCli(['diagnose', '--config', labConfig, '--json', '--db', db]);
      expect(result.code).toBe(0);
      const report = ReportSchema.parse(JSON.parse(result.stdout));
      expect(report.verdict.kind).toBe('healthy');
      expect(report.attempts.length).toBeGreaterThanOrEqual(2);
      expect(report.attempts.every((a) => a.outcome === 'success')).toBe(true);
      expect(report.cleanup.leaked).toBe(0);
      expect(report.cleanup.opened).toBe(report.cleanup.released);
      // the L0 session's quality figures, graded (contract/quality.ts)
      expect(report.quality?.map((q) => [q.targetId, q.path])).toEqual([['local-machine', 'host']]);
      expect(report.quality?.[0]).toMatchObject({ lossPct: 0, grade: expect.any(String) });

      const sqlite = new BetterSqlite3(db, { readonly: true });
      const rows = sqlite
        .prepare('SELECT id, outcome FROM attempts WHERE run_id = ?')
        .all(report.runId) as Array<{ id: string; outcome: string }>;
      const run = sqlite.prepare('SELECT verdict_kind FROM runs WHERE id = ?').get(report.runId) as {
        verdict_kind: string;
      };
      const events = sqlite.prepare('SELECT count(*) AS n FROM events').get() as { n: number };
      sqlite.close();
      expect(rows.map((r) => r.id).sort()).toEqual(report.attempts.map((a) => a.id).sort());
      expect(run.verdict_kind).toBe('healthy');
      expect(events.n).toBeGreaterThan(0);
    });

    it('prints a readable table without --json, progress on stderr', async () => {
      const result = await runCli(['diagnose', '--config', labConfig, '--db', join(dir, 'table.db')]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/\[healthy, confidence/);
      expect(result.stdout).toMatch(/lab-stun-udp\s+up/);
      // one line per connected path with its figures and grade, then the bounds used
      expect(result.stdout).toMatch(
        /Paths \(data channel.*\n {2}host\s+local-machine\s+RTT p50 [\d.]+ ms, p95 [\d.]+ ms, jitter [\d.]+ ms, loss 0 %, \d+ [kM]bit\/s\s+(good|fair|poor|bad)\n/,
      );
      expect(result.stdout).toContain(
        'Thresholds, good / fair / poor (beyond: bad): RTT p50 <100 / <250 / <400 ms',
      );
      expect(result.stderr).toMatch(/ok\s+stun-binding → lab-stun-udp: /);
    });

    it('names the failing server in a partial outage and exits 1', async () => {
      const closed = await freePort();
      const parsed = JSON.parse(lab.config) as { targets: unknown[] };
      const config = write('partial.json', {
        targets: [...parsed.targets, { kind: 'stun', id: 'dead', url: `stun:127.0.0.1:${closed}` }],
        retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 },
      });
      const result = await runCli([
        'diagnose',
        '--config',
        config,
        '--json',
        '--db',
        join(dir, 'partial.db'),
      ]);
      expect(result.code).toBe(1);
      const report = ReportSchema.parse(JSON.parse(result.stdout));
      expect(report.verdict.kind).toBe('partial-outage');
      expect(report.verdict.message).toContain(`127.0.0.1:${closed}`);
      expect(report.targets.find((t) => t.id === 'dead')?.status).toBe('down');
      expect(report.cleanup.leaked).toBe(0);
    });

    it('exports a redacted bundle of the history and inspects it back through the real bin', async () => {
      const db = join(dir, 'bundle.db');
      const diagnosed = await runCli(['diagnose', '--config', labConfig, '--json', '--db', db]);
      const report = ReportSchema.parse(JSON.parse(diagnosed.stdout));
      const out = join(dir, 'ticket.zip');
      const exported = await runCli(['export', '--out', out, '--db', db, '--since', '1h']);
      expect(exported.code, exported.stderr).toBe(0);
      const inspected = await runCli(['inspect', out, '--json']);
      expect(inspected.code, inspected.stderr).toBe(0);
      const bundle = JSON.parse(inspected.stdout) as {
        manifest: { redacted: boolean };
        attempts: Array<{ id: string }>;
      };
      expect(bundle.manifest.redacted).toBe(true);
      expect(bundle.attempts.map((a) => a.id).sort()).toEqual(report.attempts.map((a) => a.id).sort());
      // loopback addresses of the lab may stay (configured servers); nothing else leaks is tested in tests/bundle
      const bad = await runCli(['inspect', write('not-a-bundle.zip', 'PK garbage')]);
      expect(bad.code).toBe(2);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    });

    it('--app-failing turns a healthy result into app-suspect (exit 1)', async () => {
      const result = await runCli([
        'diagnose',
        '--config',
        labConfig,
        '--json',
        '--app-failing',
        '--db',
        join(dir, 'app.db'),
      ]);
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout).verdict.kind).toBe('app-suspect');
    });

    it('--lab adds the embedded lab as layer L1; dead servers with a working lab are an infrastructure outage', async () => {
      const closed = await freePort();
      const config = write('dead.json', {
        targets: [{ kind: 'stun', url: `stun:127.0.0.1:${closed}` }],
        retry: { maxAttempts: 1 },
      });
      const result = await runCli([
        'diagnose',
        '--config',
        config,
        '--lab',
        '--json',
        '--db',
        join(dir, 'lab.db'),
      ]);
      expect(result.code).toBe(1);
      const report = ReportSchema.parse(JSON.parse(result.stdout));
      const lab = report.targets.filter((t) => t.layer === 'L1');
      expect(lab.map((t) => t.kind)).toEqual(['stun', 'stun', 'gun', 'peerjs']);
      expect(lab.every((t) => t.status === 'up')).toBe(true);
      expect(report.verdict.kind).toBe('infrastructure-outage');
      expect(report.verdict.message).toMatch(/embedded lab/);
    });
  },
);
