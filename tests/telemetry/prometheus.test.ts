import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VERDICT_KINDS } from '../../src/contract';
import { startLab, type Lab } from '../../src/lab';
import { skipUnlessIsolated } from '../helpers/isolation';
import { freePort } from '../helpers/ports';
import { MonitorChild } from '../monitor/monitor-child';
import { RESOURCES, dashboardExprs, exportedMetricNames, metricNamesIn } from './promql-names';

const PROMETHEUS = '/usr/bin/prometheus';
const hasPrometheus = existsSync(PROMETHEUS);
if (!hasPrometheus)
  console.warn(
    `SKIPPED: the Prometheus scrape test needs Debian's prometheus (${PROMETHEUS}); .ci/run installs it (apt-get install prometheus)`,
  );
const skip =
  !hasPrometheus || skipUnlessIsolated('the Prometheus scrape test (a monitor running real diagnoses)');

const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-prometheus-'));
let lab: Lab | null = null;
let monitor: MonitorChild | null = null;
let prometheus: ChildProcess | null = null;
let prometheusLog = '';

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((resolve) => prometheus?.once('exit', resolve));
    prometheus.kill('SIGTERM');
    const timer = setTimeout(() => prometheus?.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
  await monitor?.stop();
  await lab?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface ApiAnswer<T> {
  status: string;
  data: T;
  error?: string;
}
type Vector = {
  resultType: string;
  result: Array<{ metric: Record<string, string>; value: [number, string] }>;
};

async function api<T>(base: string, path: string): Promise<ApiAnswer<T>> {
  const response = await fetch(`${base}${path}`);
  return (await response.json()) as ApiAnswer<T>;
}

const query = (base: string, promql: string) =>
  api<Vector>(base, `/api/v1/query?query=${encodeURIComponent(promql)}`);

/** Polls until `check` returns a value (not undefined), within `timeoutMs`. */
async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `${what}: not seen within ${timeoutMs} ms (${String(last)})\n${prometheusLog.slice(-3000)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe.skipIf(skip)('a real Prometheus scraping a running monitor', () => {
  it('reads the metrics back through its HTTP API, and loads the alert rules', async () => {
    lab = await startLab();
    const config = join(dir, 'lab.json');
    writeFileSync(config, JSON.stringify(lab.config));
    monitor = new MonitorChild([
      '--config',
      config,
      '--db',
      join(dir, 'history.db'),
      '--every',
      '1s',
      '--cycles',
      '100', // a bound; the test stops it
      '--metrics-port',
      '0',
    ]);
    const metricsUrl = String(
      (await monitor.waitFor('metrics URL', (l) => l.event === 'monitor.metrics')).url,
    );
    const metricsTarget = new URL(metricsUrl).host;

    const webPort = await freePort();
    const promConfig = join(dir, 'prometheus.yml');
    writeFileSync(
      promConfig,
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'rule_files:',
        `  - ${join(RESOURCES, 'prometheus', 'rules.yml')}`,
        'scrape_configs:',
        '  - job_name: rtc-triage',
        '    static_configs:',
        `      - targets: ['${metricsTarget}']`,
        '',
      ].join('\n'),
    );
    prometheus = spawn(
      PROMETHEUS,
      [
        `--config.file=${promConfig}`,
        `--storage.tsdb.path=${join(dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${webPort}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stdout?.on('data', (d: Buffer) => (prometheusLog += d.toString()));
    prometheus.stderr?.on('data', (d: Buffer) => (prometheusLog += d.toString()));
    const base = `http://127.0.0.1:${webPort}`;
    await eventually('Prometheus ready', async () =>
      (await fetch(`${base}/-/ready`)).ok ? true : undefined,
    );

    // The scrape target is up, and finished diagnoses have been scraped.
    await eventually('the monitor as an up target', async () => {
      const up = await query(base, 'up{job="rtc-triage"}');
      return up.data.result[0]?.value[1] === '1' ? true : undefined;
    });
    await eventually('diagnoses in Prometheus', async () => {
      const done = await query(base, 'sum(rtc_triage_diagnoses_total)');
      return Number(done.data.result[0]?.value[1] ?? 0) >= 2 ? true : undefined;
    });

    const attempts = await query(base, 'sum by (probe, kind, outcome) (rtc_triage_attempts_total)');
    expect(attempts.status).toBe('success');
    const probes = new Set(attempts.data.result.map((r) => r.metric.probe));
    for (const probe of ['stun-binding', 'gun-signaling', 'peerjs-signaling'])
      expect(probes).toContain(probe);
    const success = attempts.data.result.filter((r) => r.metric.outcome === 'success');
    expect(success.length).toBeGreaterThan(0);

    // The seed's GUN cleanup histogram, RTT histograms, per-server health and the verdict gauge.
    const gunCleanup = await query(base, 'sum(gun_signal_cleanup_duration_seconds_count)');
    expect(Number(gunCleanup.data.result[0]?.value[1])).toBeGreaterThan(0);
    const rtt = await query(base, 'sum by (target) (rtc_triage_rtt_seconds_count)');
    expect(rtt.data.result.map((r) => r.metric.target)).toEqual(expect.arrayContaining(['lab-stun-udp']));
    const health = await query(base, 'rtc_triage_target_up');
    const byTarget = new Map(health.data.result.map((r) => [r.metric.target, r.value[1]]));
    for (const target of ['lab-stun-udp', 'lab-stun-tcp', 'lab-gun', 'lab-peerjs'])
      expect(['0', '0.5', '1']).toContain(byTarget.get(target));
    expect(byTarget.get('lab-stun-udp')).toBe('1');
    // One verdict kind at 1, the others at 0.
    const verdict = await query(base, 'rtc_triage_last_verdict');
    expect(verdict.data.result).toHaveLength(VERDICT_KINDS.length);
    expect(verdict.data.result.filter((r) => r.value[1] === '1')).toHaveLength(1);
    const open = await query(base, 'rtc_triage_ledger_open_resources');
    expect(open.data.result).toHaveLength(1);
    const leaked = await query(base, 'rtc_triage_ledger_resources_total{outcome="leaked"}');
    expect(leaked.data.result[0]?.value[1]).toBe('0');
    const enabled = await query(base, 'rtc_triage_monitor_enabled');
    expect(enabled.data.result[0]?.value[1]).toBe('1');

    // The rules file loads and every rule evaluates without error; none fires on a healthy lab.
    const rules = await eventually('rules evaluated', async () => {
      const answer = await api<{
        groups: Array<{ rules: Array<{ name: string; health: string; query: string; state?: string }> }>;
      }>(base, '/api/v1/rules');
      const all = answer.data.groups.flatMap((g) => g.rules);
      return all.length > 0 && all.every((r) => r.health === 'ok') ? all : undefined;
    });
    expect(rules.map((r) => r.name)).toEqual(
      expect.arrayContaining([
        'RtcTriageFailureRateHigh',
        'RtcTriageLikelyOutage',
        'RtcTriageResourcesLeaked',
      ]),
    );
    const exported = await exportedMetricNames();
    const recorded = rules.filter((r) => r.state === undefined).map((r) => r.name);
    for (const name of rules.flatMap((r) => metricNamesIn(r.query)))
      expect([...exported, ...recorded], `${name} is not exported`).toContain(name);
    expect(rules.filter((r) => r.state === 'firing').map((r) => r.name)).toEqual([]);

    // Every dashboard query is valid PromQL for this Prometheus, and those that read the monitor's
    // basic series return data.
    const dashboard: unknown = JSON.parse(readFileSync(join(RESOURCES, 'grafana', 'dashboard.json'), 'utf8'));
    for (const expr of dashboardExprs(dashboard).filter((e) => !e.startsWith('label_values('))) {
      const promql = expr
        .replaceAll('$instance', '.*')
        .replaceAll('$__rate_interval', '1m')
        .replaceAll('$__range', '5m');
      const answer = await query(base, promql);
      expect(answer.status, `${expr}: ${answer.error ?? ''}`).toBe('success');
    }

    expect(await monitor.stop()).toBe(0);
  }, 240_000);
});
