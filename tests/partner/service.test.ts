/**
 * The partner test through the contract, as the UI drives it: partnerHost answers with the code,
 * partnerJoin answers at once, partnerStatus follows both to the same table; bad codes, a second
 * test and cancelling are refused or handled. Two services (two testers) on the embedded lab.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PartnerStateSchema, type PartnerState, type TriageEvent } from '../../src/contract';
import { parseConfig } from '../../src/core/config/load';
import { dispatch } from '../../src/core/engine/dispatch';
import { TriageService } from '../../src/core/service';
import { startLab, type Lab } from '../../src/lab';
import { skipUnlessIsolated } from '../helpers/isolation';

describe.skipIf(skipUnlessIsolated('the partner service tests'))('partner test through the contract', () => {
  let lab: Lab;
  let dir: string;
  let host: TriageService;
  let joiner: TriageService;
  const events: TriageEvent[] = [];

  beforeAll(async () => {
    lab = await startLab();
    dir = mkdtempSync(join(tmpdir(), 'rtc-triage-partner-service-'));
    const config = parseConfig({ ...lab.config, timeouts: { answerMs: 2000 } }, 'lab');
    host = new TriageService({ config, dbPath: join(dir, 'host.db'), face: 'serve', version: 'test' });
    joiner = new TriageService({ config, dbPath: join(dir, 'join.db'), face: 'serve', version: 'test' });
    host.onEvent((event) => events.push(event));
  });
  afterAll(async () => {
    host?.close();
    joiner?.close();
    await lab?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function call(service: TriageService, method: string, args: unknown = {}) {
    return dispatch(service, method, args);
  }

  async function finished(service: TriageService): Promise<PartnerState> {
    for (let i = 0; i < 600; i++) {
      const state = PartnerStateSchema.parse(service.partnerStatus());
      if (!state.active && state.phase === 'finished') return state;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the partner test did not finish');
  }

  it('host shows a code, joiner enters it, both end with the same table; partner events reach the UI', async () => {
    const hosted = await call(host, 'partnerHost', {});
    expect(hosted.ok).toBe(true);
    const waiting = PartnerStateSchema.parse(hosted.ok ? hosted.value : null);
    expect(waiting).toMatchObject({ active: true, role: 'host', phase: 'waiting' });
    expect(waiting.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);

    // a second test on the same service is refused while one runs
    const busy = await call(host, 'partnerHost', {});
    expect(busy).toMatchObject({ ok: false, error: { code: 'BUSY' } });

    const joined = await call(joiner, 'partnerJoin', { code: (waiting.code as string).toLowerCase() });
    expect(joined).toMatchObject({ ok: true, value: { active: true, role: 'join', phase: 'pairing' } });

    const [h, j] = await Promise.all([finished(host), finished(joiner)]);
    expect(h.result?.status).toBe('completed');
    expect(j.result?.status).toBe('completed');
    expect(j.result?.paths).toEqual(h.result?.paths);
    expect(j.result?.correlationId).toBe(h.result?.correlationId);
    expect(h.paths).toEqual(h.result?.paths);
    const names = new Set(events.map((e) => e.name));
    for (const name of [
      'partner.started',
      'partner.waiting',
      'partner.paired',
      'partner.path.finished',
      'partner.finished',
    ])
      expect(names).toContain(name);
    // no event carries the code
    expect(JSON.stringify(events)).not.toContain(waiting.code as string);
  }, 90_000);

  it('refuses a malformed code with the field named, before anything starts', async () => {
    const bad = await call(joiner, 'partnerJoin', { code: 'hello!' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'ARGUMENT_INVALID', field: 'code' } });
    expect(bad.ok ? '' : bad.error.message).toMatch(/is not a partner code/);
    const empty = await call(joiner, 'partnerJoin', {});
    expect(empty).toMatchObject({ ok: false, error: { code: 'ARGUMENT_INVALID', field: 'code' } });
  });

  it('cancels a host that waits: the test ends as cancelled, nothing leaked', async () => {
    const hosted = await call(host, 'partnerHost', { codeTtlMs: 120_000 });
    expect(hosted.ok).toBe(true);
    expect(await call(host, 'partnerCancel', {})).toEqual({ ok: true, value: { cancelled: true } });
    const state = await finished(host);
    expect(state.result).toMatchObject({ status: 'cancelled', paths: [] });
    expect(state.result?.cleanup.leaked).toBe(0);
    expect(await call(host, 'partnerCancel', {})).toEqual({ ok: true, value: { cancelled: false } });
  }, 60_000);

  it('meets through the servers saved in the UI, and through the lab of `serve --lab`', async () => {
    const stunOnly = parseConfig({ targets: [{ kind: 'stun', url: 'stun:127.0.0.1:9' }] });
    const gun = lab.config.targets.find((t) => t.kind === 'gun');
    const saved = new TriageService({
      config: stunOnly,
      dbPath: join(dir, 'saved.db'),
      face: 'serve',
      version: 'test',
      useSavedSettings: true,
    });
    const withLab = new TriageService({
      config: stunOnly,
      lab: parseConfig(lab.config, 'lab'),
      dbPath: join(dir, 'with-lab.db'),
      face: 'serve',
      version: 'test',
    });
    try {
      // the config alone has no signaling server; the list saved on the Servers screen has one
      expect(await call(saved, 'partnerHost', {})).toMatchObject({ ok: false, error: { field: 'targets' } });
      expect(await call(saved, 'saveTargets', { targets: [gun] })).toMatchObject({ ok: true });
      expect(await call(saved, 'partnerHost', {})).toMatchObject({ ok: true, value: { phase: 'waiting' } });
      expect(await call(withLab, 'partnerHost', {})).toMatchObject({ ok: true, value: { phase: 'waiting' } });
    } finally {
      saved.partnerCancel();
      withLab.partnerCancel();
      saved.close();
      withLab.close();
    }
  });

  it('a config without a signaling server is refused, and leaves nothing running', async () => {
    const lonely = new TriageService({
      config: parseConfig({ targets: [{ kind: 'stun', url: 'stun:127.0.0.1:9' }] }),
      dbPath: join(dir, 'lonely.db'),
      face: 'serve',
      version: 'test',
    });
    try {
      const refused = await call(lonely, 'partnerHost', {});
      expect(refused).toMatchObject({ ok: false, error: { code: 'CONFIG_INVALID', field: 'targets' } });
      expect(refused.ok ? '' : refused.error.message).toMatch(/no signaling server/);
      expect(lonely.partnerStatus()).toMatchObject({ active: false, phase: 'idle' });
      // not stuck as busy
      expect(await call(lonely, 'partnerHost', {})).toMatchObject({
        ok: false,
        error: { code: 'CONFIG_INVALID' },
      });
    } finally {
      lonely.close();
    }
  });
});
