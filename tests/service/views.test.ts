import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import {
  AttemptPageSchema,
  AttemptTimelineSchema,
  HistoryChartsSchema,
  OpenedBundleSchema,
  ServerStatusSchema,
  type AttemptReport,
  type TriageEvent,
} from '../../src/contract';
import { stepFor } from '../../src/core/views/charts';
import { HistoryStore } from '../../src/core/store/history';
import { UiQueries } from '../../src/core/store/ui-queries';
import { attempt, record, SEED_TARGETS } from '../analysis/history-fixture';
import { tempService, type TempService } from './fixture';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
let temp: TempService | undefined;

afterEach(() => {
  temp?.close();
  temp = undefined;
});

function withStore(dbPath: string, work: (store: HistoryStore) => void): void {
  const store = HistoryStore.open(dbPath, { retentionDays: 0 });
  try {
    work(store);
  } finally {
    store.close();
  }
}

function timed(a: AttemptReport, rttMs: number): AttemptReport {
  return { ...a, metrics: { ...a.metrics, rttMs } };
}

describe('the Servers view', () => {
  it('gives each configured target its RTT p50/p95, failure rate over the window and last success', () => {
    temp = tempService();
    const now = Date.now();
    withStore(temp.dbPath, (store) => {
      store.beginRun('r1', new Date(now - 2 * HOUR), 'test', SEED_TARGETS);
      const rtts = [10, 20, 30, 40, 100];
      store.ingest(
        rtts.map((rtt, i) => ({
          runId: 'r1',
          attempt: timed(attempt('stun-a', 'stun-binding', now - 2 * HOUR + i * 1000, true), rtt),
        })),
      );
      store.ingest([
        { runId: 'r1', attempt: attempt('stun-b', 'stun-binding', now - 3 * DAY, true) },
        { runId: 'r1', attempt: attempt('stun-b', 'stun-binding', now - HOUR, false) },
        { runId: 'r1', attempt: attempt('stun-b', 'stun-binding', now - HOUR + 1000, false) },
        // A reflexive-only session proves nothing about the server: not counted as its failure.
        {
          runId: 'r1',
          attempt: attempt('stun-b', 'peer-connection', now - HOUR + 2000, false, { path: 'srflx' }),
        },
      ]);
    });
    const status = ServerStatusSchema.parse(temp.service.serverStatus({}));
    expect(status.source).toBe('config');
    expect(status.servers.map((s) => [s.id, s.configIndex, s.layer])).toEqual(
      SEED_TARGETS.map((t, i) => [t.id, i, t.layer]),
    );
    const a = status.servers.find((s) => s.id === 'stun-a');
    expect(a).toMatchObject({
      rttMs: { p50: 30, p95: 100 },
      attempts: 5,
      failures: 0,
      failureRate: 0,
      status: 'untested',
      statusAt: null,
    });
    expect(Date.parse(a?.lastSuccessAt ?? '')).toBe(now - 2 * HOUR + 4000);
    const b = status.servers.find((s) => s.id === 'stun-b');
    // The success three days ago is outside the 24 h window but still its last success.
    expect(b).toMatchObject({ attempts: 2, failures: 2, failureRate: 1, rttMs: null });
    expect(Date.parse(b?.lastSuccessAt ?? '')).toBe(now - 3 * DAY);
    expect(status.servers.find((s) => s.id === 'gun-a')).toMatchObject({
      attempts: 0,
      failureRate: null,
      lastSuccessAt: null,
    });
  });
});

describe('the History charts', () => {
  it('show a nightly outage as a band of failed hours in the heatmap, and per-target series', () => {
    temp = tempService();
    const now = Date.now();
    const from = now - 7 * DAY;
    // Every server fails from 00:00 to 09:00 UTC, every night, with rounds every 30 minutes.
    const nightly = (at: number) => new Date(at).getUTCHours() < 9;
    withStore(temp.dbPath, (store) =>
      record(store, from, now, 30 * 60_000, (at, check) => !check.local && nightly(at)),
    );

    const charts = HistoryChartsSchema.parse(
      temp.service.historyCharts({ sinceMs: 7 * DAY, timeZone: 'UTC' }),
    );
    expect(charts.timeZone).toBe('UTC');
    expect(charts.stepMs).toBe(stepFor(7 * DAY));
    expect(charts.stepMs).toBe(3 * HOUR);
    expect(charts.heatmap.dates).toHaveLength(8);
    expect(charts.heatmap.dates.at(-1)).toBe(new Date(now).toISOString().slice(0, 10));

    const night = charts.heatmap.cells.filter((c) => c.hour < 9 && c.attempts > 0);
    const day = charts.heatmap.cells.filter((c) => c.hour >= 9 && c.attempts > 0);
    expect(night.length).toBeGreaterThan(20);
    expect(day.length).toBeGreaterThan(20);
    // 6 of the 7 checks per round are outside servers; the local machine test keeps passing.
    for (const cell of night) expect(cell.failures / cell.attempts).toBeCloseTo(6 / 7);
    for (const cell of day) expect(cell.failures).toBe(0);

    const stunA = charts.series.find((s) => s.targetId === 'stun-a');
    expect(stunA).toMatchObject({ kind: 'stun', url: 'stun:stun-a.test:3478', layer: 'L2' });
    const points = stunA?.points ?? [];
    expect(points.length).toBeGreaterThanOrEqual(56);
    expect(points.reduce((n, p) => n + p.attempts, 0)).toBe(7 * 48);
    const failing = points.filter((p) => p.attempts > 0 && p.failures === p.attempts);
    expect(failing.every((p) => new Date(p.at).getUTCHours() < 9)).toBe(true);
    expect(charts.series.find((s) => s.targetId === 'local-machine')?.layer).toBe('L0');
  });

  it('takes an even sample of RTTs over long windows, from every target', () => {
    temp = tempService();
    const now = Date.now();
    withStore(temp.dbPath, (store) => {
      store.beginRun('r', new Date(now - DAY), 'test', SEED_TARGETS);
      const rows = [];
      for (let i = 0; i < 200; i++) {
        for (const target of SEED_TARGETS)
          rows.push({
            runId: 'r',
            attempt: timed(attempt(target.id, 'stun-binding', now - DAY + i * MIN, true), 10 + i),
          });
      }
      store.ingest(rows);
    });
    const store = HistoryStore.open(temp.dbPath, { retentionDays: 0 });
    onTestFinished(() => store.close());
    const ui = new UiQueries(store.database);
    const all = ui.rttSamplesBetween(now - 2 * DAY, now);
    expect(all).toHaveLength(1000);
    const sample = ui.rttSamplesBetween(now - 2 * DAY, now, 100);
    expect(sample.length).toBeGreaterThan(50);
    expect(sample.length).toBeLessThan(200);
    expect(new Set(sample.map((s) => s.targetId))).toEqual(new Set(SEED_TARGETS.map((t) => t.id)));
    // The same sample every time: the charts do not flicker between reloads.
    expect(ui.rttSamplesBetween(now - 2 * DAY, now, 100)).toEqual(sample);
  });

  it('refuses an unknown time zone naming the field', async () => {
    temp = tempService();
    expect(await temp.call('historyCharts', { timeZone: 'Mars/Olympus' })).toMatchObject({
      ok: false,
      error: { code: 'ARGUMENT_INVALID', field: 'timeZone' },
    });
  });
});

describe('the Attempts log and timeline', () => {
  function seed(dbPath: string, now: number): void {
    withStore(dbPath, (store) => {
      store.beginRun('run-a', new Date(now - HOUR), 'test', SEED_TARGETS);
      const events = (id: string, at: number): TriageEvent[] =>
        (
          [
            'signal.offer.sent',
            'signal.answer.received',
            'peer.connected',
            'signal.teardown.success',
          ] as const
        ).map((name, i) => ({
          name,
          at: new Date(at + 10 * (i + 1)).toISOString(),
          runId: 'run-a',
          attemptId: id,
        }));
      for (let i = 0; i < 5; i++) {
        const a = attempt('gun-a', 'signaled-session', now - HOUR + i * 1000, i % 2 === 0);
        store.recordAttempt('run-a', a, events(a.id, Date.parse(a.startedAt)));
      }
      store.recordAttempt('run-a', attempt('stun-a', 'stun-binding', now - HOUR + 10_000, false), []);
    });
  }

  it('filters, pages with `before`, and opens one attempt with its ordered events', async () => {
    temp = tempService();
    const now = Date.now();
    seed(temp.dbPath, now);

    const all = AttemptPageSchema.parse(temp.service.listAttempts({}));
    expect(all.attempts).toHaveLength(6);
    expect(all.hasMore).toBe(false);
    expect(all.attempts[0]).toMatchObject({
      targetId: 'stun-a',
      runId: 'run-a',
      targetUrl: 'stun:stun-a.test:3478',
    });
    expect(all.facets.targets.map((t) => t.id)).toEqual(SEED_TARGETS.map((t) => t.id).sort());
    expect(all.facets.probes).toContain('signaled-session');

    expect(temp.service.listAttempts({ targetId: 'gun-a', failedOnly: true }).attempts).toHaveLength(2);
    expect(temp.service.listAttempts({ outcome: 'success' }).attempts).toHaveLength(3);
    expect(temp.service.listAttempts({ probe: 'stun-binding' }).attempts).toHaveLength(1);
    expect(temp.service.listAttempts({ runId: 'nope' }).attempts).toHaveLength(0);

    const first = temp.service.listAttempts({ limit: 4 });
    expect(first.hasMore).toBe(true);
    const last = first.attempts.at(-1);
    const second = temp.service.listAttempts({
      limit: 4,
      before: { startedAt: last?.startedAt ?? '', id: last?.id ?? '' },
    });
    expect(second.hasMore).toBe(false);
    expect([...first.attempts, ...second.attempts].map((a) => a.id)).toEqual(all.attempts.map((a) => a.id));

    const session = all.attempts.find((a) => a.probe === 'signaled-session');
    const timeline = AttemptTimelineSchema.parse(
      temp.service.attemptTimeline({ attemptId: session?.id ?? '' }),
    );
    expect(timeline.attempt.correlationId).toBe(session?.correlationId);
    expect(timeline.events.map((e) => [e.name, e.offsetMs])).toEqual([
      ['signal.offer.sent', 10],
      ['signal.answer.received', 20],
      ['peer.connected', 30],
      ['signal.teardown.success', 40],
    ]);

    expect(await temp.call('attemptTimeline', { attemptId: 'missing' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND', field: 'attemptId' },
    });
    expect(await temp.call('listAttempts', { outcome: 'maybe' })).toMatchObject({
      ok: false,
      error: { code: 'ARGUMENT_INVALID', field: 'outcome' },
    });
    expect(await temp.call('listAttempts', { limit: 501 })).toMatchObject({
      ok: false,
      error: { field: 'limit' },
    });
  });
});

describe('bundles from the UI', () => {
  it('export through the face-provided target, redacted by the setting; open read-only without touching history', async () => {
    temp = tempService();
    const now = Date.now();
    withStore(temp.dbPath, (store) => record(store, now - 6 * HOUR, now, HOUR, () => false));
    const before = temp.service.listAttempts({ sinceMs: 400 * DAY, limit: 500 }).attempts.length;
    const out = join(temp.dir, 'export.zip');

    const noFace = await temp.call('exportBundle', {});
    expect(noFace).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED' } });
    expect(await temp.call('exportBundle', {}, { exportTarget: async () => null })).toEqual({
      ok: true,
      value: null,
    });

    let suggested = '';
    const exported = await temp.call(
      'exportBundle',
      { sinceMs: DAY },
      {
        exportTarget: async (name) => {
          suggested = name;
          return { path: out, download: null };
        },
      },
    );
    expect(suggested).toMatch(/^rtc-triage-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.zip$/);
    expect(exported).toMatchObject({
      ok: true,
      value: { fileName: 'export.zip', savedTo: out, download: null, redacted: true, counts: { runs: 6 } },
    });

    await temp.service.saveSettings({ ...temp.service.getSettings(), redactExports: false });
    const plain = await temp.call(
      'exportBundle',
      {},
      { exportTarget: async () => ({ path: `${out}.2`, download: '/x' }) },
    );
    expect(plain).toMatchObject({ ok: true, value: { redacted: false, savedTo: null, download: '/x' } });
    const forced = await temp.call(
      'exportBundle',
      { redact: true },
      { exportTarget: async () => ({ path: `${out}.3`, download: null }) },
    );
    expect(forced).toMatchObject({ ok: true, value: { redacted: true } });

    const opened = await temp.call(
      'openBundle',
      {},
      { bundleToOpen: async () => ({ path: out, name: 'ticket-4711.zip' }) },
    );
    expect(opened.ok).toBe(true);
    const view = OpenedBundleSchema.parse(opened.ok ? opened.value : null);
    expect(view.fileName).toBe('ticket-4711.zip');
    expect(view.manifest.redacted).toBe(true);
    expect(view.attemptsTotal).toBe(6 * 7);
    expect(view.attempts).toHaveLength(6 * 7);
    expect(view.targets.find((t) => t.id === 'stun-a')).toMatchObject({ attempts: 6, failures: 0 });
    expect(view.verdict.history?.verdict.kind).toBeDefined();
    // Read-only: the local history did not grow.
    expect(temp.service.listAttempts({ sinceMs: 400 * DAY, limit: 500 }).attempts.length).toBe(before);

    expect(await temp.call('openBundle', {}, { bundleToOpen: async () => null })).toEqual({
      ok: true,
      value: null,
    });
    expect(await temp.call('openBundle', {})).toMatchObject({
      ok: false,
      error: { code: 'UNSUPPORTED' },
    });
    const notZip = await temp.call(
      'openBundle',
      {},
      { bundleToOpen: async () => ({ path: temp!.dbPath, name: 'x' }) },
    );
    expect(notZip).toMatchObject({ ok: false, error: { code: 'ARGUMENT_INVALID' } });
    expect(notZip.ok === false && notZip.error.message).toContain('is not a valid RTC Triage bundle');
  });
});
