import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportSchema, type TriageEvent } from '../../src/contract';
import { EngineSupervisor, forkEngine } from '../../src/core/engine/supervisor';
import { TriageError } from '../../src/core/errors';
import { startLab, type Lab } from '../../src/lab';
import { PEER_HOST, ROOT } from '../helpers/build';
import { skipUnlessIsolated } from '../helpers/isolation';
import { alive, childrenOf, waitUntil, zombie } from '../isolation/processes';

// Issue 20: the engine runs in its own process, started and supervised by the face. This is the
// supervisor Electron's main process and `serve` use, on the engine program they ship
// (dist/engine.cjs), forked under Node as `serve` does (Electron forks the same file as a utility process).

const ENGINE = join(ROOT, 'dist', 'engine.cjs');

const gone = (pid: number) => !alive(pid) || zombie(pid);

describe.skipIf(!existsSync(ENGINE))('the engine process and its supervisor', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-engine-'));
  let lab: Lab;
  let engine: EngineSupervisor;
  const events: TriageEvent[] = [];

  beforeAll(async () => {
    lab = await startLab();
    engine = new EngineSupervisor({
      spawn: forkEngine(ENGINE),
      options: {
        face: 'serve',
        version: 'test',
        dbPath: join(dir, 'history.db'),
        configPath: writeConfig(dir, lab),
        peerHosts: { entry: PEER_HOST },
      },
    });
    engine.onEvent((event) => events.push(event));
    await engine.start();
  }, 30_000);

  afterAll(async () => {
    await engine?.close();
    await lab?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers contract calls from another process, validated there', async () => {
    expect(engine.pid).not.toBe(process.pid);
    const info = await engine.call('appInfo', {});
    expect(info).toMatchObject({ ok: true, value: { face: 'serve', dbPath: join(dir, 'history.db') } });
    expect(await engine.call('serverStatus', { sinceMs: 5 })).toMatchObject({
      ok: false,
      error: { code: 'ARGUMENT_INVALID', field: 'sinceMs' },
    });
    expect(await engine.call('noSuchMethod', {})).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_METHOD' },
    });
  });

  it.skipIf(skipUnlessIsolated('a diagnosis in the engine process'))(
    'runs a diagnosis there, its WebRTC probes in the engine’s peer hosts, and streams its events',
    async () => {
      await waitUntil('the peer hosts', () => childrenOf(engine.pid ?? 0).length >= 2);
      const result = await engine.call('runDiagnosis', {});
      expect(result.ok).toBe(true);
      const report = ReportSchema.parse((result as { value: unknown }).value);
      expect(report.verdict.kind).toBe('healthy');
      expect(events.some((e) => e.name === 'run.finished' && e.runId === report.runId)).toBe(true);
    },
    60_000,
  );

  it('asks the face for files: an export goes where the face says', async () => {
    const out = join(dir, 'export.zip');
    const result = await engine.call(
      'exportBundle',
      {},
      { exportTarget: async () => ({ path: out, download: null }) },
    );
    expect(result).toMatchObject({ ok: true, value: { savedTo: out } });
    expect(statSync(out).size).toBeGreaterThan(0);
    // a face without files is refused by the engine, as in-process
    expect(await engine.call('exportBundle', {})).toMatchObject({
      ok: false,
      error: { code: 'UNSUPPORTED' },
    });
  });

  it('a crashed engine fails the call in flight, says so, restarts, and its peer hosts do not outlive it', async () => {
    const first = engine.pid as number;
    await waitUntil('the peer hosts', () => childrenOf(first).length >= 2);
    const hosts = childrenOf(first);
    const inFlight = engine.call('runDiagnosis', {});
    process.kill(first, 'SIGKILL');
    expect(await inFlight).toMatchObject({ ok: false, error: { code: 'ENGINE_CRASHED' } });
    await waitUntil('engine.restarted', () => events.some((e) => e.name === 'engine.restarted'));
    expect(events.find((e) => e.name === 'engine.crashed')?.data).toMatchObject({
      reason: 'SIGKILL',
      restarting: true,
    });
    expect(engine.pid).not.toBe(first);
    expect(await engine.call('appInfo', {})).toMatchObject({ ok: true });
    // the dead engine's hosts see their channel close and leave by themselves
    await waitUntil('the old peer hosts to end', () => hosts.every(gone), 5_000);
  }, 60_000);

  it('close() ends the engine and every child of it; calls after it are refused', async () => {
    const pid = engine.pid as number;
    await waitUntil('the peer hosts', () => childrenOf(pid).length >= 2);
    const hosts = childrenOf(pid);
    await engine.close();
    expect(gone(pid)).toBe(true);
    await waitUntil('the peer hosts to end', () => hosts.every(gone), 2_000);
    expect(await engine.call('appInfo', {})).toMatchObject({ ok: false, error: { code: 'ENGINE_STOPPED' } });
  }, 30_000);
});

describe.skipIf(!existsSync(ENGINE))('an engine that cannot start', () => {
  it('rejects start() with the engine’s own error, and leaves no process behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-engine-bad-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ targets: [{ kind: 'stun', url: 'http://nope' }] }));
    let pid: number | undefined;
    const engine = new EngineSupervisor({
      spawn: () => {
        const child = forkEngine(ENGINE)();
        pid = child.pid;
        return child;
      },
      options: { face: 'serve', version: 'test', configPath: bad, dbPath: join(dir, 'h.db') },
    });
    const error = await engine.start().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TriageError);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
    expect((error as Error).message).toMatch(/targets\.0\.url/);
    await waitUntil('the engine to leave', () => gone(pid as number), 2_000);
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

/** The embedded lab's servers (in this process, on loopback) as the engine's configured servers. */
function writeConfig(dir: string, lab: Lab): string {
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ ...lab.config, retry: { maxAttempts: 1 } }));
  return file;
}
