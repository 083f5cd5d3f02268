import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/core/store/history';
import { startLabGunRelay, type LabGunRelay } from '../../src/lab';
import { skipUnlessIsolated } from '../helpers/isolation';
import { MonitorChild, type LogLine } from './monitor-child';

const skip = skipUnlessIsolated('the monitor outage test (a real GUN relay stopped and restarted)');
const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-monitor-'));
let relay: LabGunRelay | null = null;
let monitor: MonitorChild | null = null;

afterAll(async () => {
  await monitor?.stop();
  await relay?.close();
  rmSync(dir, { recursive: true, force: true });
});

const metricValue = (text: string, series: string): number | null => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
};

describe.skipIf(skip)('the monitor survives a lab server going down and coming back', () => {
  it('raises exactly one alert and one recovery, in the log lines, the log file and the metrics', async () => {
    relay = await startLabGunRelay();
    const port = relay.port;
    const config = join(dir, 'relay.json');
    writeFileSync(
      config,
      JSON.stringify({
        targets: [{ kind: 'gun', id: 'relay', url: relay.url }],
        retry: { maxAttempts: 2, baseDelayMs: 50, maxDelayMs: 100 },
      }),
    );
    const db = join(dir, 'history.db');
    monitor = new MonitorChild([
      '--config',
      config,
      '--db',
      db,
      '--every',
      '1s',
      '--cycles',
      '60', // a bound, not the plan: the test stops it as soon as it has seen enough
      '--metrics-port',
      '0',
      '--raise-after',
      '2',
      '--clear-after',
      '2',
    ]);
    const listening = await monitor.waitFor('metrics URL', (l) => l.event === 'monitor.metrics');
    const metricsUrl = String(listening.url);
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);

    // Up: two clean cycles.
    await monitor.waitFor('a healthy cycle', (l) => isCycle(l) && downOf(l).length === 0);
    await monitor.cycles(1);

    // Down: the relay goes away; the monitor keeps cycling and raises one alert.
    await relay.close();
    relay = null;
    const alert = await monitor.waitFor('the alert', (l) => l.event === 'monitor.alert');
    expect(alert.level).toBe('warn');
    expect(alert.data).toMatchObject({ key: 'target:relay', state: 'alerting', targetId: 'relay' });
    expect(String(alert.data?.title)).toContain('GUN relay');
    await monitor.cycles(2); // still down: nothing more is said

    // Back on the same port: one recovery.
    relay = await startLabGunRelay({ port });
    const recovered = await monitor.waitFor('the recovery', (l) => l.event === 'monitor.recovered');
    expect(recovered.data).toMatchObject({
      key: 'target:relay',
      state: 'recovered',
      since: alert.data?.since,
    });
    await monitor.cycles(2); // up again: nothing more is said

    const metrics = await (await fetch(metricsUrl)).text();
    expect(metricValue(metrics, 'rtc_triage_alerts_total{alert="target:relay"}')).toBe(1);
    expect(metricValue(metrics, 'rtc_triage_alert_recoveries_total{alert="target:relay"}')).toBe(1);
    expect(metricValue(metrics, 'rtc_triage_alert_active{alert="target:relay"}')).toBe(0);
    expect(metricValue(metrics, 'rtc_triage_monitor_enabled')).toBe(1);
    expect(metricValue(metrics, 'rtc_triage_ledger_open_resources')).not.toBeNull();

    expect(await monitor.stop()).toBe(0);
    const cycles = monitor.events('monitor.cycle');
    expect(monitor.events('monitor.alert')).toHaveLength(1);
    expect(monitor.events('monitor.recovered')).toHaveLength(1);
    expect(cycles.filter((c) => downOf(c).includes('relay')).length).toBeGreaterThanOrEqual(3);
    expect(monitor.events('monitor.stopped')).toHaveLength(1);

    // The file log has the same story, with run and correlation ids on the attempts.
    const logged = readFileSync(join(dir, 'logs', 'rtc-triage.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as LogLine);
    expect(logged.filter((l) => l.event === 'monitor.alert')).toHaveLength(1);
    expect(logged.filter((l) => l.event === 'monitor.recovered')).toHaveLength(1);
    const refused = logged.find(
      (l) => l.event === 'attempt.finished' && l.targetId === 'relay' && l.data?.outcome !== 'success',
    );
    expect(refused).toMatchObject({ level: 'warn', face: 'monitor', env: 'local' });
    expect(refused?.correlationId).toEqual(expect.any(String));
    expect(refused?.runId).toEqual(expect.any(String));
    expect(refused?.flags).toMatchObject({ resilience: true, telemetry: true, chaos: false });
    expect(logged.some((l) => 'hostname' in l)).toBe(false);

    // Every cycle is kept in the history, recorded as the monitor's.
    const store = HistoryStore.open(db);
    try {
      const runs = store.database
        .prepare(`SELECT count(*) AS n FROM runs WHERE source = 'monitor'`)
        .get() as {
        n: number;
      };
      expect(runs.n).toBeGreaterThanOrEqual(cycles.length);
    } finally {
      store.close();
    }
  }, 300_000);
});

function isCycle(line: LogLine): boolean {
  return line.event === 'monitor.cycle' && line.data?.result === 'ok';
}

function downOf(line: LogLine): string[] {
  return isCycle(line) ? ((line.data?.down as string[] | undefined) ?? []) : [];
}
