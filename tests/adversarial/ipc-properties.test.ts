import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CallErrorSchema,
  IPC_INVOKE_PREFIX,
  METHOD_NAMES,
  methods,
  type MethodName,
  type TriageEvent,
} from '../../src/contract';
import { startServe, type ServeHandle } from '../../src/cli/serve';
import { parseConfig } from '../../src/core/config/load';
import { dispatch } from '../../src/core/engine/dispatch';
import type { CallResult } from '../../src/core/engine/protocol';
import { TriageService } from '../../src/core/service';
import { inProcessEngine } from '../../src/core/engine/in-process';
import { registerTriageIpc, type InvokeEvent, type IpcMainLike } from '../../src/main/ipc';
import { startUdpResponder } from '../helpers/hostile-udp';
import { anyJson, anyValue, fieldProblem, hostileKey } from '../helpers/hostile-inputs';
import { postJson } from '../helpers/http';
import { skipUnlessIsolated } from '../helpers/isolation';

const SEED = Number(process.env.RTC_TRIAGE_FUZZ_SEED ?? 5389);

/** Codes a call may be refused with: each a typed error of the engine or the adapter, never INTERNAL. */
const REFUSALS = new Set([
  'ARGUMENT_INVALID',
  'UNKNOWN_METHOD',
  'BUSY',
  'NOT_FOUND',
  'SENDER_REFUSED',
  // the face has no file access (openBundle/exportBundle without a dialog or an upload)
  'UNSUPPORTED',
  // the service's config cannot do it (partnerHost/partnerJoin without a signaling server); names `targets`
  'CONFIG_INVALID',
]);

/** Arguments near the contract's: its own field names with values of any kind, and extra keys. */
const nearArgs = fc.dictionary(
  fc.oneof(fc.constantFrom('appFailing', 'runId', 'sinceMs', 'timeZone'), hostileKey),
  fc.oneof(
    anyValue,
    fc.string({ minLength: 1, maxLength: 64 }),
    fc.constantFrom(
      true,
      '',
      'x'.repeat(65),
      'Europe/Paris',
      'Mars/Olympus_Mons',
      'europe/PARIS',
      59_999,
      60_000,
      400 * 86_400_000 + 1,
      1.5,
      -0,
    ),
  ),
  { maxKeys: 4 },
);
const anyArgs = fc.oneof(anyValue, nearArgs, fc.constantFrom(undefined, null, {}, []));

/** Why a call's answer breaks the contract, or null: typed, field-naming, and deliverable over IPC and HTTP. */
function answerProblem(method: unknown, args: unknown, result: unknown): string | null {
  const answer = result as CallResult;
  if (typeof answer !== 'object' || answer === null || typeof answer.ok !== 'boolean')
    return 'not a { ok } answer';
  try {
    structuredClone(answer);
    JSON.stringify(answer);
  } catch (error) {
    return `the answer cannot be sent back: ${String(error)}`;
  }
  if (answer.ok) return null;
  const parsed = CallErrorSchema.safeParse(answer.error);
  if (!parsed.success) return `error of the wrong shape: ${JSON.stringify(answer.error)}`;
  const { code, field, message } = parsed.data;
  if (!REFUSALS.has(code)) return `refused with ${code}: ${message}`;
  if (code === 'ARGUMENT_INVALID') return fieldProblem(args ?? {}, field, message);
  if (
    code === 'UNKNOWN_METHOD' &&
    typeof method === 'string' &&
    (METHOD_NAMES as readonly string[]).includes(method)
  )
    return `a known method refused as unknown: ${message}`;
  return null;
}

/** Arguments the contract accepts for `method` (those must not be refused as invalid by the schema). */
function valid(method: MethodName, args: unknown): boolean {
  return methods[method].args.safeParse(args ?? {}).success;
}

class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, (event: InvokeEvent, ...args: unknown[]) => unknown>();
  handle(channel: string, listener: (event: InvokeEvent, ...args: unknown[]) => unknown): void {
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
}

describe.skipIf(
  skipUnlessIsolated('the IPC and HTTP argument properties (a held diagnosis runs real probes)'),
)('property: no IPC or HTTP argument can crash the engine, every refusal names its field', () => {
  let dir: string;
  let service: TriageService;
  let silent: Awaited<ReturnType<typeof startUdpResponder>>;
  let held: Promise<unknown>;
  let heldRunId: string;
  let ipc: FakeIpcMain;
  let dispose: () => void;
  let serve: ServeHandle;
  const ourFrame = {
    url: `${pathToFileURL('/app/out/renderer/index.html').href}#/`,
    processId: 1,
    frameToken: 't',
  };

  beforeAll(async () => {
    console.log(`IPC/HTTP property seed: ${SEED} (set RTC_TRIAGE_FUZZ_SEED to replay another)`);
    dir = mkdtempSync(join(tmpdir(), 'rtc-triage-ipc-prop-'));
    // A diagnosis held open on a silent STUN server: every valid runDiagnosis call is then BUSY,
    // so the properties can call it thousands of times without running thousands of diagnoses.
    silent = await startUdpResponder(() => null);
    service = new TriageService({
      config: parseConfig({
        targets: [{ kind: 'stun', url: `stun:127.0.0.1:${silent.port}` }],
        timeouts: { stunMs: 60_000 },
        retry: { maxAttempts: 1 },
      }),
      dbPath: join(dir, 'history.db'),
      face: 'desktop',
      version: 'test',
    });
    const started = new Promise<string>((resolve) => {
      const off = service.onEvent((event: TriageEvent) => {
        if (event.name !== 'run.started') return;
        off();
        resolve(event.runId);
      });
    });
    held = service.runDiagnosis({}).catch((error: unknown) => error);
    heldRunId = await started;
    ipc = new FakeIpcMain();
    dispose = registerTriageIpc(ipc, {
      engine: inProcessEngine(service),
      renderer: { kind: 'file', file: '/app/out/renderer/index.html' },
      mainFrame: () => ourFrame,
      sendEvent: () => {},
    });
    serve = await startServe({ service, host: '127.0.0.1', port: 0, rendererDir: join(dir, 'renderer') });
  });

  afterAll(async () => {
    await serve?.close();
    dispose?.();
    if (service) {
      expect(service.cancelDiagnosis({ runId: heldRunId })).toEqual({ cancelled: true });
      await held;
      service.close();
    }
    await silent?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('dispatch: every method × arbitrary arguments (600 runs per method)', async () => {
    const seen: Record<string, number> = {};
    for (const [i, method] of METHOD_NAMES.entries()) {
      await fc.assert(
        fc.asyncProperty(anyArgs, async (args) => {
          const result = await dispatch(service, method, args);
          const key = `${method}:${result.ok ? 'ok' : result.error.code}`;
          seen[key] = (seen[key] ?? 0) + 1;
          expect(answerProblem(method, args, result)).toBeNull();
          const error = result.ok ? null : result.error;
          // what the schema accepts only the service may still refuse (an unknown time zone)
          if (valid(method, args)) {
            if (error?.code === 'ARGUMENT_INVALID') expect(error.field).toBe('timeZone');
          } else expect(error?.code).toBe('ARGUMENT_INVALID');
        }),
        { seed: SEED + i, numRuns: 600 },
      );
    }
    console.log('dispatch answers (method:code → runs):', seen);
    // both sides of every method were reached: accepted calls and refused ones
    for (const method of METHOD_NAMES) expect(seen[`${method}:ARGUMENT_INVALID`] ?? 0).toBeGreaterThan(0);
    expect(seen['runDiagnosis:BUSY'] ?? 0).toBeGreaterThan(0);
    for (const method of ['cancelDiagnosis', 'lastReport', 'listTargets', 'appInfo', 'history'])
      expect(seen[`${method}:ok`] ?? 0).toBeGreaterThan(0);
  });

  it('dispatch: arbitrary method names and values (1,000 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          anyValue,
          fc.string(),
          fc.constantFrom(...METHOD_NAMES, '__proto__', 'constructor', 'toString'),
        ),
        anyArgs,
        async (method, args) => {
          const result = await dispatch(service, method, args);
          expect(answerProblem(method, args, result)).toBeNull();
        },
      ),
      { seed: SEED + 10, numRuns: 1000 },
    );
  });

  it('the Electron IPC handler: every method × arbitrary arguments, extra arguments, any sender URL (1,200 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...METHOD_NAMES),
        anyArgs,
        fc.array(anyValue, { maxLength: 2 }),
        fc.oneof({ weight: 4, arbitrary: fc.constant(ourFrame.url) }, fc.string(), fc.webUrl()),
        async (method, args, extra, url) => {
          const handler = ipc.handlers.get(IPC_INVOKE_PREFIX + method);
          expect(handler).toBeDefined();
          const frame = url === ourFrame.url ? ourFrame : { ...ourFrame, url };
          const result = await handler?.({ senderFrame: frame }, args, ...extra);
          expect(answerProblem(method, args, result)).toBeNull();
        },
      ),
      { seed: SEED + 20, numRuns: 1200 },
    );
  });

  it('the HTTP adapter (rtc-triage serve): JSON bodies and method names (300 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...METHOD_NAMES) }, fc.string({ maxLength: 20 })),
        anyJson,
        async (method, args) => {
          const response = await postJson(serve.address, encodeURIComponent(method), JSON.stringify(args));
          let body: unknown;
          expect(() => (body = JSON.parse(response.body))).not.toThrow();
          expect(answerProblem(method, args, body)).toBeNull();
          expect(response.status).toBeLessThan(500);
        },
      ),
      { seed: SEED + 30, numRuns: 300 },
    );
  });
});
