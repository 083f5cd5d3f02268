/**
 * The probe plan through the real runner: a probe that needs a server starts once its prerequisite
 * answered, or is recorded as `skipped` at once when the prerequisite failed; retries stop on a final
 * cause. Real lab STUN server, a closed UDP port (ICMP refused), a silent UDP socket and coturn
 * refusing a password, in the loopback namespace; every attempt stored in a real SQLite file.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptRan, type AttemptReport, type Report } from '../../src/contract';
import { parseConfig } from '../../src/core/config/load';
import { resolveTargets } from '../../src/core/config/targets';
import { runDiagnosis } from '../../src/core/runner/run';
import { HistoryStore } from '../../src/core/store/history';
import { startLabStunServer, type LabStunServer } from '../../src/lab';
import { hasCoturn, startCoturn, type Coturn } from '../helpers/coturn';
import { startUdpResponder } from '../helpers/hostile-udp';
import { skipUnlessIsolated } from '../helpers/isolation';
import { freePort } from '../helpers/ports';
import { testTempDir } from '../helpers/temp';

const of = (report: Report, targetId: string, probe: string): AttemptReport[] =>
  report.attempts.filter((a) => a.targetId === targetId && a.probe === probe);

describe.skipIf(skipUnlessIsolated('the probe plan test') || !hasCoturn)('the probe plan', () => {
  let stun: LabStunServer;
  let silent: Awaited<ReturnType<typeof startUdpResponder>>;
  let coturn: Coturn;
  let report: Report;
  let store: HistoryStore;

  beforeAll(async () => {
    stun = await startLabStunServer();
    silent = await startUdpResponder(() => null);
    coturn = await startCoturn();
    const closed = await freePort();
    const config = parseConfig({
      targets: [
        { kind: 'stun', id: 'live', url: `stun:127.0.0.1:${stun.udpPort}` },
        { kind: 'stun', id: 'closed', url: `stun:127.0.0.1:${closed}` },
        { kind: 'stun', id: 'silent', url: `stun:127.0.0.1:${silent.port}` },
        {
          kind: 'turn',
          id: 'wrong-password',
          url: `turn:127.0.0.1:${coturn.port}?transport=udp`,
          username: coturn.user,
          credential: 'not-the-password',
        },
      ],
      timeouts: { stunMs: 1500 },
      retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 10, jitter: 'none' },
    });
    store = HistoryStore.open(join(testTempDir('rtc-triage-plan-'), 'history.db'), { retentionDays: 0 });
    report = await runDiagnosis({ config, targets: resolveTargets(config), store, includeMachine: false });
  }, 60_000);
  afterAll(async () => {
    store?.close();
    await silent?.close();
    await stun?.close();
    await coturn?.stop();
  });

  it('runs every probe through a server that answered', () => {
    for (const probe of ['stun-binding', 'nat-behavior', 'ice-gathering']) {
      const attempts = of(report, 'live', probe);
      expect(
        attempts.map((a) => a.outcome),
        probe,
      ).toEqual(['success']);
    }
  });

  it('skips at once what needs a refused server, naming the prerequisite and its error; no retry of a refusal', () => {
    expect(of(report, 'closed', 'stun-binding').map((a) => a.errorClass)).toEqual(['refused']);
    for (const probe of ['nat-behavior', 'ice-gathering', 'peer-connection']) {
      const [skipped, ...more] = of(report, 'closed', probe);
      expect(more, probe).toEqual([]);
      expect(skipped).toMatchObject({
        outcome: 'skipped',
        stage: 'needs stun-binding (refused)',
        errorClass: null,
      });
      expect(skipped?.errorMessage).toMatch(/^not run: stun-binding on this server failed \(refused at /);
      expect(skipped?.durationMs).toBe(0);
    }
  });

  it('skips what needs a silent server once its prerequisite exhausted its retries', () => {
    expect(of(report, 'silent', 'stun-binding').map((a) => a.outcome)).toEqual(['timeout', 'timeout']);
    for (const probe of ['nat-behavior', 'ice-gathering', 'peer-connection']) {
      const [skipped] = of(report, 'silent', probe);
      expect(skipped).toMatchObject({ outcome: 'skipped', stage: 'needs stun-binding (timeout)' });
      expect(skipped?.errorMessage).toMatch(/failed after 2 attempts \(timeout/);
    }
  });

  it('does not retry a refused password, and skips the relay probes that need the allocation', () => {
    const allocation = of(report, 'wrong-password', 'turn-allocation');
    expect(allocation.map((a) => a.metrics.errorCode)).toEqual([401]);
    for (const probe of ['ice-gathering', 'peer-connection']) {
      const [skipped] = of(report, 'wrong-password', probe);
      expect(skipped).toMatchObject({ outcome: 'skipped', stage: 'needs turn-allocation (server-error)' });
    }
  });

  it('a skipped attempt is no evidence: the verdict and statuses read what ran', () => {
    const status = Object.fromEntries(report.targets.map((t) => [t.id, t.status]));
    expect(status).toEqual({ live: 'up', closed: 'down', silent: 'down', 'wrong-password': 'down' });
    expect(report.verdict.evidence.map((e) => e.summary).join('\n')).not.toMatch(/skipped|not run/);
    expect(report.cleanup.leaked).toBe(0);
  });

  it('stores skipped attempts as they are, outside the failure counts', () => {
    const stored = store.attemptsSince(new Date(0));
    expect(stored.filter((a) => a.outcome === 'skipped').length).toBe(
      report.attempts.filter((a) => a.outcome === 'skipped').length,
    );
    const ran = report.attempts.filter(attemptRan);
    const buckets = store.queries.bucketsBetween(0, Date.now() + 3_600_000);
    const counted = buckets.reduce((sum, b) => sum + b.attempts.reduce((x, y) => x + y, 0), 0);
    expect(counted).toBe(ran.length);
  });
});
