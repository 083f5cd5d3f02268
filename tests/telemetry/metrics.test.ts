import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { EventName, TriageEvent } from '../../src/contract';
import { TriageMetrics, startMetricsServer } from '../../src/core/telemetry';

const ev = (
  name: EventName,
  data: Record<string, unknown> = {},
  targetId = 't1',
  runId = 'r1',
): TriageEvent => ({
  name,
  at: '2026-05-01T10:00:00.000Z',
  runId,
  targetId,
  data,
});

function value(text: string, series: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
}

describe('metrics from the event stream', () => {
  it('counts attempts by try, retries (GUN ones under the seed name), cleanup and RTT', async () => {
    const m = new TriageMetrics({ version: '1.0.0', face: 'monitor' });
    m.observe(ev('run.started'));
    m.observe(
      ev('attempt.finished', {
        probe: 'gun-signaling',
        kind: 'gun',
        attempt: 1,
        outcome: 'timeout',
        durationMs: 5000,
        cleanupMs: 2,
      }),
    );
    m.observe(ev('attempt.retry', { probe: 'gun-signaling', kind: 'gun', after: 1, delayMs: 1000 }));
    m.observe(ev('attempt.retry', { probe: 'stun-binding', kind: 'stun', after: 1, delayMs: 1000 }, 's1'));
    m.observe(
      ev('attempt.finished', {
        probe: 'gun-signaling',
        kind: 'gun',
        attempt: 2,
        outcome: 'success',
        durationMs: 40,
        cleanupMs: 0.5,
        rttMs: 12,
      }),
    );
    m.observe(ev('signal.offer.sent'));
    // a name from outside the list (a newer peer host, a hand-edited bundle) is ignored, not a crash
    m.observe(ev('Not An Event Name!' as EventName));
    const text = await m.text();
    expect(
      value(
        text,
        'rtc_triage_attempts_total{probe="gun-signaling",target="t1",kind="gun",outcome="timeout",try="first"}',
      ),
    ).toBe(1);
    expect(
      value(
        text,
        'rtc_triage_attempts_total{probe="gun-signaling",target="t1",kind="gun",outcome="success",try="retry"}',
      ),
    ).toBe(1);
    expect(value(text, 'gun_signal_retry_total{probe="gun-signaling",target="t1"}')).toBe(1);
    expect(text).not.toMatch(/gun_signal_retry_total\{probe="stun-binding"/);
    expect(value(text, 'rtc_triage_retries_total{probe="stun-binding",target="s1",kind="stun"}')).toBe(1);
    expect(
      value(text, 'gun_signal_cleanup_duration_seconds_count{probe="gun-signaling",outcome="success"}'),
    ).toBe(1);
    expect(
      value(text, 'gun_signal_cleanup_duration_seconds_sum{probe="gun-signaling",outcome="timeout"}'),
    ).toBe(0.002);
    expect(value(text, 'rtc_triage_rtt_seconds_count{probe="gun-signaling",target="t1",kind="gun"}')).toBe(1);
    expect(value(text, 'rtc_triage_events_total{name="signal.offer.sent"}')).toBe(1);
    expect(value(text, 'rtc_triage_events_total{name="other"}')).toBe(1);
    expect(value(text, 'rtc_triage_diagnosis_in_progress')).toBe(1);
    expect(value(text, 'rtc_triage_build_info{version="1.0.0",face="monitor"}')).toBe(1);
  });

  it('a finished run sets the verdict gauge, per-server health, cleanup outcomes and timestamps', async () => {
    const m = new TriageMetrics({ version: 't', face: 't' });
    const finished = (verdict: string, targets: Array<Record<string, string>>) =>
      ev('run.finished', {
        verdict,
        durationMs: 1500,
        cleanup: { opened: 9, released: 8, leaked: 1 },
        targets,
      });
    m.observe(ev('run.started'));
    m.observe(
      finished('partial-outage', [
        { id: 'a', kind: 'stun', layer: 'L2', status: 'up' },
        { id: 'b', kind: 'gun', layer: 'L3', status: 'down' },
        { id: 'c', kind: 'turn', layer: 'L2', status: 'untested' },
      ]),
    );
    let text = await m.text();
    expect(value(text, 'rtc_triage_last_verdict{kind="partial-outage"}')).toBe(1);
    expect(value(text, 'rtc_triage_last_verdict{kind="healthy"}')).toBe(0);
    expect(value(text, 'rtc_triage_target_up{target="a",kind="stun",layer="L2"}')).toBe(1);
    expect(value(text, 'rtc_triage_target_up{target="b",kind="gun",layer="L3"}')).toBe(0);
    expect(text).not.toContain('target="c"');
    expect(value(text, 'rtc_triage_ledger_resources_total{outcome="leaked"}')).toBe(1);
    expect(value(text, 'rtc_triage_ledger_resources_total{outcome="released"}')).toBe(8);
    expect(value(text, 'rtc_triage_diagnosis_in_progress')).toBe(0);
    expect(value(text, 'rtc_triage_last_diagnosis_timestamp_seconds')).toBe(
      Date.parse('2026-05-01T10:00:00Z') / 1000,
    );
    // The next run replaces the health of the last: a target no longer configured disappears.
    m.observe(ev('run.started', {}, 't1', 'r2'));
    m.observe({
      ...finished('healthy', [{ id: 'a', kind: 'stun', layer: 'L2', status: 'degraded' }]),
      runId: 'r2',
    });
    text = await m.text();
    expect(value(text, 'rtc_triage_target_up{target="a",kind="stun",layer="L2"}')).toBe(0.5);
    expect(text).not.toContain('target="b"');
    expect(value(text, 'rtc_triage_last_verdict{kind="healthy"}')).toBe(1);
    expect(value(text, 'rtc_triage_diagnoses_total{verdict="healthy"}')).toBe(1);
  });

  it('monitor events drive the alert counters and the active gauge', async () => {
    const m = new TriageMetrics({ version: 't', face: 't' });
    m.observe(ev('monitor.started', { everyMs: 60_000 }));
    m.observe(ev('monitor.alert', { key: 'target:b' }));
    let text = await m.text();
    expect(value(text, 'rtc_triage_monitor_enabled')).toBe(1);
    expect(value(text, 'rtc_triage_monitor_interval_seconds')).toBe(60);
    expect(value(text, 'rtc_triage_alert_active{alert="target:b"}')).toBe(1);
    m.observe(ev('monitor.recovered', { key: 'target:b' }));
    m.observe(ev('monitor.cycle', { result: 'busy' }));
    text = await m.text();
    expect(value(text, 'rtc_triage_alert_active{alert="target:b"}')).toBe(0);
    expect(value(text, 'rtc_triage_alerts_total{alert="target:b"}')).toBe(1);
    expect(value(text, 'rtc_triage_alert_recoveries_total{alert="target:b"}')).toBe(1);
    expect(value(text, 'rtc_triage_monitor_cycles_total{result="busy"}')).toBe(1);
    m.observe(ev('monitor.stopped', { everyMs: 60_000 }));
    expect(value(await m.text(), 'rtc_triage_monitor_enabled')).toBe(0);
  });
});

describe('the /metrics server', () => {
  it('serves the text format on loopback, only /metrics, and closes with a keep-alive scraper connected', async () => {
    const metrics = new TriageMetrics({ version: 't', face: 't' });
    const server = await startMetricsServer({ metrics, port: 0 });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const ok = await fetch(server.url, { headers: { connection: 'keep-alive' } });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('content-type')).toContain('text/plain');
      expect(await ok.text()).toContain('# TYPE rtc_triage_attempts_total counter');
      expect((await fetch(server.url.replace('/metrics', '/'))).status).toBe(404);
      expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
    }
    await expect(fetch(server.url)).rejects.toThrow();
  });

  it('a port in use is a plain usage error', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(
        startMetricsServer({ metrics: new TriageMetrics({ version: 't', face: 't' }), port }),
      ).rejects.toMatchObject({ code: 'USAGE', message: expect.stringContaining('the port is in use') });
    } finally {
      blocker.close();
    }
  });
});

describe('labelled counters exist at 0 before their first increment (issue 19)', () => {
  it('a fresh registry has the known alert, cycle, ledger and verdict series; a target seen adds its own', async () => {
    const m = new TriageMetrics({ version: '1.0.0', face: 'monitor' });
    const fresh = await m.text();
    for (const series of [
      'rtc_triage_alerts_total{alert="machine:offline"}',
      'rtc_triage_monitor_cycles_total{result="failed"}',
      'rtc_triage_ledger_resources_total{outcome="leaked"}',
      'rtc_triage_diagnoses_total{verdict="infrastructure-outage"}',
    ])
      expect(value(fresh, series), series).toBe(0);

    m.observe(ev('attempt.started', { probe: 'gun-signaling', kind: 'gun', attempt: 1 }, 'lab-gun'));
    const seen = await m.text();
    expect(value(seen, 'gun_signal_retry_total{probe="gun-signaling",target="lab-gun"}')).toBe(0);
    expect(value(seen, 'rtc_triage_retries_total{probe="gun-signaling",target="lab-gun",kind="gun"}')).toBe(
      0,
    );
    expect(value(seen, 'rtc_triage_alerts_total{alert="target:lab-gun"}')).toBe(0);

    // and they count from there
    m.observe(ev('attempt.retry', { probe: 'gun-signaling', kind: 'gun', after: 1 }, 'lab-gun'));
    m.observe(ev('monitor.alert', { key: 'target:lab-gun' }, 'lab-gun'));
    const counted = await m.text();
    expect(value(counted, 'gun_signal_retry_total{probe="gun-signaling",target="lab-gun"}')).toBe(1);
    expect(value(counted, 'rtc_triage_alerts_total{alert="target:lab-gun"}')).toBe(1);
  });
});
