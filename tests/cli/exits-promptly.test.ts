/**
 * Every command exits by itself within 2 s of printing its result (a long-running one within 2 s of
 * Ctrl-C): a handle left open — a socket, a timer, a peer connection, libwebrtc's factory — would
 * keep the process alive after the user already has the answer. The real bin, real servers on
 * loopback, real WebRTC; the 2 s bound is the behaviour asked of each command.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/contract';
import { startLab, type Lab } from '../../src/lab';
import { runCliTimed, type TimedCliRun } from '../helpers/cli';
import { hasCoturn, startCoturn, type Coturn } from '../helpers/coturn';
import { skipUnlessIsolated } from '../helpers/isolation';
import { freePort } from '../helpers/ports';
import { testTempDir } from '../helpers/temp';

const EXIT_BOUND_MS = 2000;

function expectPromptExit(run: TimedCliRun, from: 'result' | 'stop' = 'result') {
  const context = `exit ${run.code ?? run.signal}\nstdout: ${run.stdout.slice(-400)}\nstderr: ${run.stderr.slice(-400)}`;
  expect(run.signal, `killed: it never ended\n${context}`).toBeNull();
  const since = from === 'stop' ? run.stoppedAt : run.lastOutputAt;
  expect(since, `never stopped\n${context}`).not.toBeNull();
  expect(run.exitedAt - (since ?? 0), context).toBeLessThan(EXIT_BOUND_MS);
}

describe.skipIf(skipUnlessIsolated('the exit-promptly CLI tests') || !hasCoturn)(
  'every rtc-triage command exits within 2 s of its result',
  () => {
    let lab: Lab;
    let coturn: Coturn;
    let dir: string;
    const config = (name: string, value: ConfigInput) => {
      const file = join(dir, `${name}.json`);
      writeFileSync(file, JSON.stringify(value));
      return file;
    };
    const files: Record<string, string> = {};

    beforeAll(async () => {
      dir = testTempDir('rtc-triage-exit-');
      lab = await startLab();
      coturn = await startCoturn();
      const closed = await freePort();
      const turn = (credential: string) => ({
        kind: 'turn' as const,
        id: 'coturn',
        url: `turn:127.0.0.1:${coturn.port}?transport=udp`,
        username: coturn.user,
        credential,
      });
      const fast = { stunMs: 1500 };
      files.lab = config('lab', lab.config);
      files.closed = config('closed', {
        targets: [{ kind: 'stun', id: 'closed', url: `stun:127.0.0.1:${closed}` }],
        timeouts: fast,
        retry: { maxAttempts: 2 },
      });
      files.turnOk = config('turn-ok', { targets: [turn(coturn.password)], timeouts: fast });
      files.turnWrong = config('turn-wrong', { targets: [turn('wrong-password')], timeouts: fast });
      files.partner = config('partner', {
        targets: lab.config.targets.filter((t) => t.kind === 'gun' || t.url.startsWith('stun:')),
        timeouts: { answerMs: 2000 },
      });
    });
    afterAll(async () => {
      await lab?.close();
      await coturn?.stop();
    });

    it.each([
      ['--help', ['--help']],
      ['--version', ['--version']],
      ['a usage error', ['diagnose', '--no-such-flag']],
      ['diagnose --help', ['diagnose', '--help']],
    ])('%s', async (_name, args) => {
      expectPromptExit(await runCliTimed(args));
    });

    it.each([
      ['a healthy lab, as a table', 'lab', []],
      ['a healthy lab, as JSON', 'lab', ['--json']],
      ['a closed STUN port, retried', 'closed', ['--json']],
      ['a healthy TURN server (WebRTC relay through coturn)', 'turnOk', ['--json']],
      ['a TURN server refusing the password', 'turnWrong', []],
    ])('diagnose: %s', async (_name, file, extra) => {
      const run = await runCliTimed([
        'diagnose',
        '--config',
        files[file]!,
        '--db',
        join(dir, `${file}.db`),
        ...extra,
      ]);
      expect(run.code === 0 || run.code === 1, run.stderr).toBe(true);
      expectPromptExit(run);
    });

    it('diagnose --lab (starts and stops the embedded lab itself)', async () => {
      const run = await runCliTimed([
        'diagnose',
        '--lab',
        '--config',
        files.closed!,
        '--db',
        join(dir, 'with-lab.db'),
      ]);
      expectPromptExit(run);
    });

    it('history, export and inspect over a stored diagnosis', async () => {
      const db = join(dir, 'faces.db');
      expectPromptExit(await runCliTimed(['diagnose', '--config', files.closed!, '--db', db]));
      for (const extra of [[], ['--json']]) {
        const history = await runCliTimed(['history', '--db', db, ...extra]);
        expect(history.stdout.length).toBeGreaterThan(0);
        expectPromptExit(history);
      }
      const bundle = join(dir, 'bundle.zip');
      const exported = await runCliTimed(['export', '--db', db, '--out', bundle]);
      expect(exported.code, exported.stderr).toBe(0);
      expectPromptExit(exported);
      for (const args of [
        ['inspect', bundle],
        ['inspect', bundle, '--json'],
        ['inspect', bundle, bundle],
      ]) {
        const inspected = await runCliTimed(args);
        expect(inspected.stdout.length, inspected.stderr).toBeGreaterThan(0);
        expectPromptExit(inspected);
      }
    });

    it('monitor --cycles 2 (ends by itself after its cycles)', async () => {
      const run = await runCliTimed([
        'monitor',
        '--config',
        files.closed!,
        '--db',
        join(dir, 'monitor.db'),
        '--every',
        '1s',
        '--cycles',
        '2',
      ]);
      expect(run.stdout).toMatch(/cycle/);
      expectPromptExit(run);
    });

    it('partner: a host whose code expires unused, and a host and joiner that run the whole test', async () => {
      const expired = await runCliTimed([
        'partner',
        '--host',
        '--code-ttl',
        '1s',
        '--config',
        files.partner!,
        '--db',
        join(dir, 'p0.db'),
      ]);
      expect(expired.code).toBe(1);
      expectPromptExit(expired);

      let announce: (code: string) => void = () => {};
      const announced = new Promise<string>((resolve) => (announce = resolve));
      const host = runCliTimed(
        ['partner', '--host', '--json', '--config', files.partner!, '--db', join(dir, 'p1.db')],
        {
          onStdout: (out) => {
            const newline = out.indexOf('\n');
            if (newline >= 0) announce((JSON.parse(out.slice(0, newline)) as { code: string }).code);
          },
        },
      );
      const code = await Promise.race([
        announced,
        host.then((run) => Promise.reject(new Error(`host ended: ${run.stderr}`))),
      ]);
      const joiner = await runCliTimed([
        'partner',
        '--join',
        code,
        '--json',
        '--config',
        files.partner!,
        '--db',
        join(dir, 'p2.db'),
      ]);
      const hosted = await host;
      expect(joiner.code, joiner.stderr).toBe(0);
      expect(hosted.code, hosted.stderr).toBe(0);
      expectPromptExit(joiner);
      expectPromptExit(hosted);
    });

    it('lab: within 2 s of Ctrl-C', async () => {
      expectPromptExit(await runCliTimed(['lab', '--json'], { stopOn: /"targets"/ }), 'stop');
    });

    it('serve: within 2 s of Ctrl-C', async () => {
      const run = await runCliTimed(['serve', '--port', '0', '--db', join(dir, 'serve.db')], {
        stopOn: /http:\/\//,
      });
      expectPromptExit(run, 'stop');
    });

    it('monitor: within 2 s of Ctrl-C', async () => {
      const run = await runCliTimed(
        ['monitor', '--config', files.lab!, '--db', join(dir, 'monitor-stop.db'), '--every', '1s'],
        { stopOn: /cycle/ },
      );
      expectPromptExit(run, 'stop');
    });
  },
);
