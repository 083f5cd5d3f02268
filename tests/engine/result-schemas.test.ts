import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { methods, type MethodArgs, type MethodName, type MethodResult } from '../../src/contract';
import type { CallContext } from '../../src/core/engine/protocol';
import { EngineSupervisor, forkEngine } from '../../src/core/engine/supervisor';
import { startLab, type Lab } from '../../src/lab';
import { PEER_HOST, ROOT } from '../helpers/build';
import { skipUnlessIsolated } from '../helpers/isolation';
import { internalsDump, state } from '../calls/fixture';

// Issue 20, item 3: every method of the contract's table, called through the engine as the faces
// ship it (dist/engine.cjs, forked; a real SQLite file; the lab's servers on loopback), answers a
// value its own `result` schema accepts. The cases are keyed by the table: a method without one
// does not compile, and the first test fails for it too.

const ENGINE = join(ROOT, 'dist', 'engine.cjs');

interface Case<M extends MethodName> {
  args: (seen: Seen) => MethodArgs<M>;
  context?: (seen: Seen) => CallContext;
  /** What a later case needs of this answer. */
  keep?: (value: MethodResult<M>, seen: Seen) => void;
}
interface Seen {
  dir: string;
  attemptId?: string;
  runId?: string;
  bundle?: string;
  targets?: MethodResult<'listTargets'>;
  settings?: MethodResult<'getSettings'>;
  /** The lab's STUN server: the ICE server of the imported call, so reproducing it stays on loopback. */
  stunUrl?: string;
  callId?: string;
}

/** In the order they run: the diagnosis first, so that the views have a history to show. */
const CASES: { [M in MethodName]: Case<M> } = {
  runDiagnosis: { args: () => ({}), keep: (report, seen) => void (seen.runId = report.runId) },
  cancelDiagnosis: { args: (seen) => ({ runId: seen.runId ?? 'none' }) },
  lastReport: { args: () => ({}) },
  listTargets: { args: () => ({}), keep: (targets, seen) => void (seen.targets = targets) },
  appInfo: { args: () => ({}) },
  history: { args: () => ({ sinceMs: 3_600_000, timeZone: 'UTC' }) },
  monitorStatus: { args: () => ({}) },
  setMonitor: { args: () => ({ enabled: false }) },
  getSettings: { args: () => ({}), keep: (settings, seen) => void (seen.settings = settings) },
  saveSettings: { args: (seen) => seen.settings as MethodArgs<'saveSettings'> },
  saveTargets: { args: (seen) => ({ targets: seen.targets ?? [] }) },
  resetTargets: { args: () => ({}) },
  serverStatus: { args: () => ({ sinceMs: 3_600_000 }) },
  historyCharts: { args: () => ({ sinceMs: 3_600_000, timeZone: 'UTC' }) },
  listAttempts: {
    args: () => ({ limit: 5 }),
    keep: (page, seen) => void (seen.attemptId = page.attempts[0]?.id),
  },
  attemptTimeline: { args: (seen) => ({ attemptId: seen.attemptId ?? 'none' }) },
  exportBundle: {
    args: () => ({ sinceMs: 3_600_000 }),
    context: (seen) => ({
      exportTarget: async () => ({ path: (seen.bundle = join(seen.dir, 'export.zip')), download: null }),
    }),
  },
  openBundle: {
    args: () => ({}),
    context: (seen) => ({ bundleToOpen: async () => ({ path: seen.bundle ?? '', name: 'export.zip' }) }),
  },
  partnerHost: { args: () => ({ codeTtlMs: 60_000 }) },
  partnerStatus: { args: () => ({}) },
  partnerCancel: { args: () => ({}) },
  partnerJoin: { args: () => ({ code: '0000-0000' }) },
  importCall: {
    args: (seen) => ({
      name: 'call.json',
      text: JSON.stringify(
        internalsDump({
          urls: [seen.stunUrl ?? 'stun:127.0.0.1:9'],
          updates: [state('ice', 'checking', 10), state('ice', 'failed', 5000)],
        }),
      ),
    }),
    keep: (call, seen) => void (seen.callId = call.id),
  },
  listCalls: { args: () => ({}) },
  getCall: { args: (seen) => ({ callId: seen.callId ?? 'none' }) },
  reproduceCall: { args: (seen) => ({ callId: seen.callId ?? 'none' }) },
};

describe('every contract method through the engine process', () => {
  it('has a case here (iterating the method table)', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(methods).sort());
  });
});

describe.skipIf(!existsSync(ENGINE) || skipUnlessIsolated('every contract method through the engine'))(
  'every contract method through the engine process',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-schemas-'));
    const seen: Seen = { dir };
    let lab: Lab;
    let engine: EngineSupervisor;

    beforeAll(async () => {
      lab = await startLab();
      seen.stunUrl = lab.config.targets.find((t) => t.kind === 'stun')?.url;
      const configPath = join(dir, 'config.json');
      writeFileSync(configPath, JSON.stringify({ ...lab.config, retry: { maxAttempts: 1 } }));
      engine = new EngineSupervisor({
        spawn: forkEngine(ENGINE),
        options: {
          face: 'serve',
          version: 'test',
          dbPath: join(dir, 'history.db'),
          configPath,
          peerHosts: { entry: PEER_HOST },
        },
      });
      await engine.start();
    }, 30_000);

    afterAll(async () => {
      await engine?.close();
      await lab?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const run = async <M extends MethodName>(method: M) => {
      const test = CASES[method] as Case<M>;
      const result = await engine.call(method, test.args(seen), test.context?.(seen));
      if (!result.ok) throw new Error(`${method} failed: ${result.error.code} ${result.error.message}`);
      const parsed = methods[method].result.safeParse(result.value);
      expect(parsed.error?.issues ?? [], method).toEqual([]);
      test.keep?.(parsed.data as MethodResult<M>, seen);
      return parsed.data;
    };

    it('answers each with a value its result schema accepts', async () => {
      for (const method of Object.keys(CASES) as MethodName[]) await run(method);
      // the cases reached what they meant to: a stored attempt, an export that opened
      expect(seen.attemptId).toBeDefined();
      expect(existsSync(seen.bundle ?? '')).toBe(true);
      expect(seen.callId).toBeDefined();
    }, 120_000);
  },
);
