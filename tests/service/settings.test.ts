import { createSocket, type Socket } from 'node:dgram';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SettingsSchema, type Settings } from '../../src/contract';
import { HistoryStore } from '../../src/core/store/history';
import { attempt, SEED_TARGETS } from '../analysis/history-fixture';
import { skipUnlessIsolated } from '../helpers/isolation';
import { tempService, type TempService } from './fixture';

const DAY = 86_400_000;
let temp: TempService | undefined;

afterEach(() => {
  temp?.close();
  temp = undefined;
});

describe('settings saved from the UI', () => {
  it('start from the config: its timeouts, retry and concurrency, with the defaults for the rest', async () => {
    temp = tempService();
    const settings = temp.service.getSettings();
    expect(settings.retry).toMatchObject({ maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 20 });
    expect(settings.timeouts.stunMs).toBe(3000);
    expect(settings).toMatchObject({
      concurrency: 8,
      retentionDays: 90,
      redactExports: true,
      schedule: { enabled: false, everyMs: 60_000 },
    });
    expect(SettingsSchema.parse(settings)).toEqual(settings);
  });

  it('persist across a restart, and a value out of range is refused naming the field', async () => {
    temp = tempService();
    const changed: Settings = {
      ...temp.service.getSettings(),
      timeouts: { ...temp.service.getSettings().timeouts, stunMs: 1500 },
      retentionDays: 30,
      redactExports: false,
      // Enabled would start the monitor against the seed's (unresolvable) servers: see monitor-schedule.test.ts.
      schedule: { enabled: false, everyMs: 300_000 },
    };
    const saved = await temp.call('saveSettings', changed);
    expect(saved).toEqual({ ok: true, value: changed });
    expect(temp.reopen().getSettings()).toEqual(changed);

    const bad = await temp.call('saveSettings', { ...changed, retry: { ...changed.retry, maxAttempts: 0 } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'ARGUMENT_INVALID', field: 'retry.maxAttempts' } });
    const tooFast = await temp.call('saveSettings', {
      ...changed,
      schedule: { enabled: true, everyMs: 1000 },
    });
    expect(tooFast).toMatchObject({ ok: false, error: { field: 'schedule.everyMs' } });
    expect(tooFast.ok === false && tooFast.error.message).toContain('at least 10 s');
    // Nothing of a refused save was kept.
    expect(temp.reopen().getSettings()).toEqual(changed);
  });

  it('ignore a stored document that no longer validates instead of failing', async () => {
    temp = tempService();
    await temp.service.saveSettings(temp.service.getSettings());
    temp.service.close();
    const db = new BetterSqlite3(temp.dbPath);
    db.prepare("UPDATE settings SET value_json = '{\"retentionDays\": -5' WHERE key = 'settings'").run();
    db.prepare(
      'INSERT INTO settings (key, value_json, updated_at) VALUES (\'targets\', \'[{"kind":"ftp"}]\', 0)',
    ).run();
    db.close();
    const service = temp.reopen();
    expect(service.getSettings().retentionDays).toBe(90);
    expect(service.listTargets().map((t) => t.id)).toEqual(SEED_TARGETS.map((t) => t.id));
  });

  it('prune history older than the retention when saved', async () => {
    temp = tempService();
    const store = HistoryStore.open(temp.dbPath, { retentionDays: 0 });
    const now = Date.now();
    for (const [runId, at] of [
      ['old', now - 100 * DAY],
      ['recent', now - DAY / 2],
    ] as const) {
      store.beginRun(runId, new Date(at), 'test', SEED_TARGETS);
      store.ingest([{ runId, attempt: attempt('stun-a', 'stun-binding', at, true) }]);
    }
    store.close();
    const everything = { sinceMs: 400 * DAY, limit: 500 };
    expect(temp.service.listAttempts(everything).attempts.map((a) => a.runId)).toEqual(['recent', 'old']);
    await temp.service.saveSettings({ ...temp.service.getSettings(), retentionDays: 30 });
    expect(temp.service.listAttempts(everything).attempts.map((a) => a.runId)).toEqual(['recent']);
  });
});

describe('the target list saved from the UI', () => {
  it('replaces the config list for the UI, survives a restart, and resets to the config', async () => {
    temp = tempService();
    const targets = [
      { kind: 'stun' as const, url: 'stun:127.0.0.1:3478', id: 'mine' },
      { kind: 'gun' as const, url: 'http://127.0.0.1:8765/gun' },
    ];
    expect(await temp.call('saveTargets', { targets })).toEqual({ ok: true, value: targets });
    expect(temp.reopen().listTargets()).toEqual(targets);
    expect(temp.service.serverStatus({}).source).toBe('saved');
    // The CLI's diagnose (saved settings off) keeps testing its own config.
    expect(
      temp
        .reopen({ useSavedSettings: false })
        .listTargets()
        .map((t) => t.id),
    ).toEqual(SEED_TARGETS.map((t) => t.id));
    expect((await temp.call('resetTargets', {})).ok).toBe(true);
    expect(temp.service.listTargets().map((t) => t.id)).toEqual(SEED_TARGETS.map((t) => t.id));
    expect(temp.service.serverStatus({}).source).toBe('config');
  });

  it('refuses an invalid list whole, naming the entry and field', async () => {
    temp = tempService();
    const badUrl = await temp.call('saveTargets', {
      targets: [
        { kind: 'stun', url: 'stun:127.0.0.1:3478' },
        { kind: 'turn', url: 'stun:127.0.0.1:3478' },
      ],
    });
    expect(badUrl).toMatchObject({ ok: false, error: { code: 'ARGUMENT_INVALID', field: 'targets.1.url' } });
    expect(badUrl.ok === false && badUrl.error.message).toContain('expected a turn/turns: URL');

    const duplicate = await temp.call('saveTargets', {
      targets: [
        { kind: 'stun', id: 'x', url: 'stun:127.0.0.1:3478' },
        { kind: 'stun', id: 'x', url: 'stun:127.0.0.1:3479' },
      ],
    });
    expect(duplicate).toMatchObject({
      ok: false,
      error: { code: 'ARGUMENT_INVALID', field: 'targets.1.id' },
    });
    expect(duplicate.ok === false && duplicate.error.message).toBe(
      'targets.1.id: "x" is already used by targets.0',
    );
    expect(await temp.call('saveTargets', { targets: [] })).toMatchObject({
      ok: false,
      error: { field: 'targets' },
    });
    expect(temp.service.serverStatus({}).source).toBe('config');
  });
});

/** A UDP port that never answers: every STUN attempt against it times out. */
function silentUdp(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve(socket));
  });
}

describe.skipIf(skipUnlessIsolated('the saved-settings diagnosis test'))(
  'a diagnosis from the UI uses the saved settings',
  () => {
    it('applies the saved timeouts and retry policy to the saved targets; the CLI face ignores them', async () => {
      const silent = await silentUdp();
      try {
        temp = tempService();
        const url = `stun:127.0.0.1:${silent.address().port}`;
        temp.service.saveTargets({ targets: [{ kind: 'stun', id: 'silent', url }] });
        await temp.service.saveSettings({
          ...temp.service.getSettings(),
          timeouts: { ...temp.service.getSettings().timeouts, stunMs: 400 },
          retry: { maxAttempts: 2, baseDelayMs: 0, maxDelayMs: 0, multiplier: 1, jitter: 'none' },
        });
        const report = await temp.service.runDiagnosis({});
        const binding = report.attempts.filter((a) => a.targetId === 'silent' && a.probe === 'stun-binding');
        expect(binding.map((a) => a.attempt)).toEqual([1, 2]);
        // The probe's budget is the saved stunMs (less what DNS and setup took), not the default 3000.
        for (const a of binding) {
          const budget = Number(/within (\d+) ms/.exec(a.errorMessage ?? '')?.[1]);
          expect(budget, a.errorMessage ?? '').toBeGreaterThan(0);
          expect(budget, a.errorMessage ?? '').toBeLessThanOrEqual(400);
        }
        expect(report.cleanup.leaked).toBe(0);

        // Saved settings off (the CLI): the config's own targets, none of them the silent port.
        const cli = temp.reopen({
          useSavedSettings: false,
          config: {
            targets: [{ kind: 'stun', id: 'cli-silent', url }],
            retry: { maxAttempts: 1 },
            timeouts: { stunMs: 300 },
          },
        });
        const cliReport = await cli.runDiagnosis({});
        const cliBinding = cliReport.attempts.filter((a) => a.probe === 'stun-binding');
        expect(cliBinding.map((a) => [a.targetId, a.attempt])).toEqual([['cli-silent', 1]]);
        expect(Number(/within (\d+) ms/.exec(cliBinding[0]?.errorMessage ?? '')?.[1])).toBeLessThanOrEqual(
          300,
        );
      } finally {
        silent.close();
      }
    });
  },
);
