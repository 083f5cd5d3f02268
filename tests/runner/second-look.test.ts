/**
 * The second look (runner/second-look.ts) through the real runner: real lab STUN servers behind
 * loopback UDP gates that drop datagrams like a lossy link, every attempt stored in a real SQLite
 * file. A server that only timed out, while another server's job recovered from a timeout, is tested
 * once more before it is called down; without loss elsewhere it is down after its first round.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput, Report, TriageEvent } from '../../src/contract';
import { parseConfig } from '../../src/core/config/load';
import { resolveTargets } from '../../src/core/config/targets';
import { runDiagnosis } from '../../src/core/runner/run';
import { openResourcesInProcess } from '../../src/core/ledger/ledger';
import { HistoryStore } from '../../src/core/store/history';
import { startLabStunServer, type LabStunServer } from '../../src/lab';
import { skipUnlessIsolated } from '../helpers/isolation';
import { testTempDir } from '../helpers/temp';
import { startUdpGate } from '../helpers/udp-gate';

type Gate = Awaited<ReturnType<typeof startUdpGate>>;

const TIMING = {
  timeouts: { stunMs: 400, iceGatheringMs: 800, offerMs: 800, answerMs: 800, connectMs: 1500 },
  retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 20, jitter: 'none' as const },
};

describe.skipIf(skipUnlessIsolated('the second-look test'))(
  'the second look at a server on a lossy network',
  () => {
    let stun: LabStunServer;
    let open = false;
    const gates: Gate[] = [];
    let store: HistoryStore;

    beforeAll(async () => {
      stun = await startLabStunServer();
      store = HistoryStore.open(join(testTempDir('rtc-triage-second-look-'), 'history.db'), {
        retentionDays: 0,
      });
    });
    afterAll(async () => {
      store?.close();
      for (const gate of gates) await gate.close();
      await stun?.close();
    });

    /** A fresh pair of gates: `lossy` loses its first client socket's datagrams (that job times out
     * once, then recovers); `gated` passes nothing until the test opens it. */
    const gatesForTest = async () => {
      open = false;
      const lossy = await startUdpGate(stun.udpPort, ({ index }) => index > 0);
      const gated = await startUdpGate(stun.udpPort, () => open);
      gates.push(lossy, gated);
      return { lossy, gated };
    };

    const diagnose = async (
      targets: ConfigInput['targets'],
      extra: Partial<ConfigInput> = {},
      onSecondLook: () => void = () => {},
    ) => {
      const config = parseConfig({ targets, ...TIMING, ...extra });
      const events: TriageEvent[] = [];
      const report = await runDiagnosis({
        config,
        targets: resolveTargets(config),
        store,
        includeMachine: false,
        onEvent: (e) => {
          events.push(e);
          if (e.name === 'run.second-look') onSecondLook();
        },
      });
      return { report, events };
    };
    const binding = (report: Report, id: string) =>
      report.attempts.filter((a) => a.targetId === id && a.probe === 'stun-binding');
    const status = (report: Report, id: string) => report.targets.find((t) => t.id === id)?.status;
    const target = (id: string, port: number) => ({
      kind: 'stun' as const,
      id,
      url: `stun:127.0.0.1:${port}`,
    });

    it('tests a server that only timed out once more when another server recovered from a timeout: it answers, so it is degraded, not down', async () => {
      const { lossy, gated } = await gatesForTest();
      const { report, events } = await diagnose(
        [target('lossy', lossy.port), target('gated', gated.port)],
        {},
        () => (open = true),
      );
      const look = events.filter((e) => e.name === 'run.second-look');
      expect(look.map((e) => e.data)).toEqual([{ targets: ['gated'] }]);
      // the first round: three timeouts; the second look: a new job that answers first time
      const attempts = binding(report, 'gated');
      expect(attempts.map((a) => a.outcome)).toEqual(['timeout', 'timeout', 'timeout', 'success']);
      expect(new Set(attempts.map((a) => a.correlationId)).size).toBe(2);
      expect(status(report, 'gated')).toBe('degraded');
      // the loss sign itself: the other server's job timed out, then answered
      expect(binding(report, 'lossy').map((a) => a.outcome)).toEqual(['timeout', 'success']);
      expect(report.verdict.kind).not.toBe('partial-outage');
      // what the second look ran is stored like every attempt, and nothing is left open
      const ids = new Set(store.attemptsSince(new Date(0)).map((a) => a.id));
      expect(report.attempts.filter((a) => !ids.has(a.id))).toEqual([]);
      expect(report.cleanup.leaked).toBe(0);
      expect(openResourcesInProcess()).toBe(0);
    });

    it('a server silent on both looks is down, with both rounds as evidence', async () => {
      const { lossy, gated } = await gatesForTest();
      const { report, events } = await diagnose([target('lossy', lossy.port), target('gated', gated.port)]);
      expect(events.filter((e) => e.name === 'run.second-look')).toHaveLength(1);
      const attempts = binding(report, 'gated');
      expect(attempts.map((a) => a.outcome)).toEqual(Array(6).fill('timeout'));
      expect(status(report, 'gated')).toBe('down');
      expect(report.verdict.kind).toBe('partial-outage');
      expect(report.cleanup.leaked).toBe(0);
    });

    it('without loss elsewhere a silent server is down after its first round (no second look)', async () => {
      const { gated } = await gatesForTest();
      const { report, events } = await diagnose([target('clean', stun.udpPort), target('gated', gated.port)]);
      expect(events.some((e) => e.name === 'run.second-look')).toBe(false);
      expect(binding(report, 'gated').map((a) => a.outcome)).toEqual(['timeout', 'timeout', 'timeout']);
      expect(status(report, 'gated')).toBe('down');
      expect(status(report, 'clean')).toBe('up');
    });
  },
);
