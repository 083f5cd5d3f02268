import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { METRIC_NAMES } from '../../src/core/telemetry';
import { RESOURCES, dashboardExprs, exportedMetricNames, metricNamesIn, rulesFile } from './promql-names';

const PROMTOOL = '/usr/bin/promtool';
const hasPromtool = existsSync(PROMTOOL);
if (!hasPromtool)
  console.warn(`SKIPPED: promtool checks need Debian's prometheus (${PROMTOOL}); .ci/run installs it`);

describe('the PromQL name extractor the checks below rely on', () => {
  it('finds metric names, not functions, labels, keywords or Grafana variables', () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.95, sum by (le, target) (rate(x_seconds_bucket{instance=~"$instance",a="b c"}[$__rate_interval]))) / on(instance) y_total and z',
      ).sort(),
    ).toEqual(['x_seconds_bucket', 'y_total', 'z']);
    expect(metricNamesIn('label_values(rtc_triage_build_info, instance)')).toEqual(['rtc_triage_build_info']);
  });
});

describe('the Grafana dashboard', () => {
  const dashboard = JSON.parse(readFileSync(join(RESOURCES, 'grafana', 'dashboard.json'), 'utf8')) as {
    title: string;
    uid: string;
    panels: Array<{ type: string; title: string }>;
  };

  it('parses, and every PromQL expression in it reads only metrics RTC Triage exports', async () => {
    const exported = await exportedMetricNames();
    const exprs = dashboardExprs(dashboard);
    expect(exprs.length).toBeGreaterThan(15);
    const referenced = new Set(exprs.flatMap(metricNamesIn));
    for (const name of referenced) expect(exported, `${name} is not exported`).toContain(name);
    // The seed's two names and the panels the issue asks for are there.
    for (const name of [
      'gun_signal_retry_total',
      'gun_signal_cleanup_duration_seconds_bucket',
      'rtc_triage_attempts_total',
      'rtc_triage_rtt_seconds_bucket',
      'rtc_triage_target_up',
      'rtc_triage_events_total',
      'rtc_triage_ledger_resources_total',
      'rtc_triage_ledger_open_resources',
      'rtc_triage_last_verdict',
    ])
      expect(referenced).toContain(name);
  });

  it('has the rows the seed asks for: lifecycle, retry funnel, cleanup outcomes, per-server health', () => {
    const rows = dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title);
    expect(rows).toEqual(
      expect.arrayContaining([
        'Offer/answer lifecycle',
        'Retry funnel',
        'Cleanup outcomes',
        'Verdict and per-server health',
      ]),
    );
    expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
  });

  it('the metric names are the seed names and rtc_triage_* only', async () => {
    for (const name of await exportedMetricNames())
      expect(name).toMatch(/^(rtc_triage_|gun_signal_retry_total$|gun_signal_cleanup_duration_seconds_)/);
    expect(METRIC_NAMES.gunRetries).toBe('gun_signal_retry_total');
    expect(METRIC_NAMES.gunCleanup).toBe('gun_signal_cleanup_duration_seconds');
  });
});

describe('the Prometheus rules', () => {
  it('read only exported metrics (or the file’s own recording rules), with the seed’s thresholds', async () => {
    const exported = await exportedMetricNames();
    const { exprs, recorded, alerts } = rulesFile();
    expect(alerts).toEqual(
      expect.arrayContaining([
        'RtcTriageFailureRateHigh',
        'RtcTriageLikelyOutage',
        'RtcTriageDiagnosisStalled',
        'RtcTriageResourcesLeaked',
      ]),
    );
    for (const name of exprs.flatMap(metricNamesIn))
      expect([...exported, ...recorded], `${name} is not exported`).toContain(name);
    const all = exprs.join('\n');
    expect(all).toMatch(/> 0\.2\b/);
    expect(all).toMatch(/> 0\.8\b/);
    expect(all).toMatch(/> 10\b/);
  });

  it.skipIf(!hasPromtool)('pass `promtool check rules` and their unit tests (`promtool test rules`)', () => {
    const check = spawnSync(PROMTOOL, ['check', 'rules', join(RESOURCES, 'prometheus', 'rules.yml')], {
      encoding: 'utf8',
    });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(/SUCCESS: \d+ rules found/);
    const test = spawnSync(PROMTOOL, ['test', 'rules', join(RESOURCES, 'prometheus', 'rules.test.yml')], {
      encoding: 'utf8',
    });
    expect(test.status, test.stdout + test.stderr).toBe(0);
    expect(test.stdout).toContain('SUCCESS');
  });
});
