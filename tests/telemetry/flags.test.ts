import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monitorCommand } from '../../src/cli/commands/monitor';
import type { ConfigInput, TriageEvent } from '../../src/contract';
import { parseConfig } from '../../src/core/config/load';
import { resolveTargets } from '../../src/core/config/targets';
import { runDiagnosis } from '../../src/core/runner/run';
import { openResourcesInProcess } from '../../src/core/ledger/ledger';
import { startLabStunServer, type LabStunServer } from '../../src/lab';
import { captureIo } from '../bundle/fixture';
import { skipUnlessIsolated } from '../helpers/isolation';
import { freePort } from '../helpers/ports';

const skip = skipUnlessIsolated('the feature-flag tests (real diagnoses)');

const FAST = {
  timeouts: { stunMs: 300, iceGatheringMs: 600, offerMs: 600, answerMs: 600, connectMs: 1500 },
  retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 20, jitter: 'none' as const },
};

describe.skipIf(skip)(
  'feature flags (the seed’s gunSignalResilience, gunSignalTelemetry, gunSignalChaos)',
  () => {
    let silent: Socket;
    let silentPort: number;
    let lab: LabStunServer;
    const dirs: string[] = [];

    beforeAll(async () => {
      // A UDP port that receives and never answers: every STUN attempt times out, so retries show.
      silent = createSocket('udp4');
      await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
      silentPort = silent.address().port;
      lab = await startLabStunServer();
    });
    afterAll(async () => {
      silent?.close();
      await lab?.close();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });

    const diagnose = async (
      input: ConfigInput,
      options: { lab?: ConfigInput; random?: () => number } = {},
    ) => {
      const config = parseConfig(input);
      const events: TriageEvent[] = [];
      const configured = resolveTargets(config);
      const labTargets = options.lab
        ? resolveTargets(parseConfig(options.lab), { lab: true, taken: configured.map((t) => t.id) })
        : [];
      const report = await runDiagnosis({
        config,
        targets: [...configured, ...labTargets],
        includeMachine: false,
        onEvent: (e) => events.push(e),
        ...(options.random ? { random: options.random } : {}),
      });
      return { report, events };
    };

    it('resilience on: a timed-out probe is retried up to retry.maxAttempts; off: exactly one attempt', async () => {
      const target = { kind: 'stun' as const, id: 'silent', url: `stun:127.0.0.1:${silentPort}` };
      const on = await diagnose({ targets: [target], ...FAST });
      const off = await diagnose({ targets: [target], ...FAST, flags: { resilience: false } });
      const binding = (r: typeof on) => r.report.attempts.filter((a) => a.probe === 'stun-binding');
      expect(binding(on).map((a) => a.outcome)).toEqual(['timeout', 'timeout', 'timeout']);
      expect(on.events.some((e) => e.name === 'attempt.retry')).toBe(true);
      expect(binding(off).map((a) => a.outcome)).toEqual(['timeout']);
      expect(off.events.some((e) => e.name === 'attempt.retry')).toBe(false);
      for (const job of new Set(off.report.attempts.map((a) => a.correlationId)))
        expect(off.report.attempts.filter((a) => a.correlationId === job)).toHaveLength(1);
      expect(off.report.cleanup.leaked).toBe(0);
      expect(off.events.find((e) => e.name === 'run.started')?.data?.flags).toEqual({
        resilience: false,
        chaos: false,
      });
    });

    it('chaos fails server attempts on purpose (then retried), never the embedded lab; off by default', async () => {
      const server = { kind: 'stun' as const, id: 'server', url: `stun:127.0.0.1:${lab.udpPort}` };
      const labConfig = {
        targets: [{ kind: 'stun' as const, id: 'lab', url: `stun:127.0.0.1:${lab.udpPort}` }],
      };
      const drill = await diagnose(
        { targets: [server], ...FAST, flags: { chaos: true, chaosFailureRate: 1 } },
        { lab: labConfig },
      );
      const onServerAll = drill.report.attempts.filter((a) => a.targetId === 'server');
      // what needs the failed STUN Binding is not run: skipped, naming the injected timeout
      const skipped = onServerAll.filter((a) => a.outcome === 'skipped');
      expect(skipped.length).toBeGreaterThan(0);
      for (const a of skipped) expect(a.stage).toBe('needs stun-binding (timeout)');
      const onServer = onServerAll.filter((a) => a.outcome !== 'skipped');
      expect(onServer.length).toBeGreaterThan(0);
      for (const a of onServer) {
        expect(a).toMatchObject({ outcome: 'timeout', errorClass: 'timeout', stage: 'chaos' });
        expect(a.metrics.chaos).toBe(true);
      }
      expect(Math.max(...onServer.map((a) => a.attempt))).toBe(3); // the drill exercises the retries
      expect(drill.report.targets.find((t) => t.id === 'server')?.status).toBe('down');
      const onLab = drill.report.attempts.filter((a) => a.targetId === 'lab');
      expect(onLab.some((a) => a.outcome === 'success')).toBe(true);
      expect(onLab.every((a) => a.stage !== 'chaos')).toBe(true);
      expect(drill.events.filter((e) => e.name === 'chaos.fault.injected')).toHaveLength(onServer.length);

      // A rate below the draw injects nothing; no flag, no chaos.
      const spared = await diagnose(
        { targets: [server], ...FAST, flags: { chaos: true, chaosFailureRate: 0.5 } },
        { random: () => 0.75 },
      );
      expect(spared.report.attempts.every((a) => a.stage !== 'chaos')).toBe(true);
      const plain = await diagnose({ targets: [server], ...FAST });
      expect(plain.events.some((e) => e.name === 'chaos.fault.injected')).toBe(false);
    });

    it('telemetry off: the monitor runs, writes no log and serves no metrics; an open alert at exit gives 1', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-flags-'));
      dirs.push(dir);
      const config = join(dir, 'c.json');
      const closed = await freePort();
      writeFileSync(
        config,
        JSON.stringify({
          targets: [{ kind: 'gun', id: 'gone', url: `http://127.0.0.1:${closed}/gun` }],
          flags: { telemetry: false },
        }),
      );
      const open = openResourcesInProcess();
      const io = captureIo();
      const code = await monitorCommand(
        [
          '--config',
          config,
          '--db',
          join(dir, 'h.db'),
          '--every',
          '1s',
          '--cycles',
          '2',
          '--raise-after',
          '1',
          '--metrics-port',
          '0',
        ],
        io.io,
      );
      expect(code).toBe(1);
      expect(io.err.join('\n')).toContain('--metrics-port ignored: flags.telemetry is off');
      const printed = io.out.map((l) => JSON.parse(l) as { event: string });
      expect(printed.filter((l) => l.event === 'monitor.alert')).toHaveLength(1);
      expect(printed.some((l) => l.event === 'monitor.metrics')).toBe(false);
      expect(readdirSync(dir)).not.toContain('logs');
      expect(openResourcesInProcess()).toBe(open);
    }, 120_000);
  },
);
