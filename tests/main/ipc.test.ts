import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CallErrorSchema,
  IPC_EVENT_CHANNEL,
  IPC_INVOKE_PREFIX,
  METHOD_NAMES,
  ReportSchema,
  type TriageEvent,
} from '../../src/contract';
import { inProcessEngine } from '../../src/core/engine/in-process';
import { registerTriageIpc, type InvokeEvent, type IpcMainLike, type SenderFrame } from '../../src/main/ipc';
import { rendererLocation, type RendererLocation } from '../../src/main/renderer-location';
import { startLabService, type LabService } from '../helpers/lab-service';
import { skipUnlessIsolated } from '../helpers/isolation';

/** The one fake: Electron's ipcMain cannot exist without Electron. It only stores handlers. */
class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, (event: InvokeEvent, ...args: unknown[]) => unknown>();

  handle(channel: string, listener: (event: InvokeEvent, ...args: unknown[]) => unknown): void {
    if (this.handlers.has(channel))
      throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  /** What ipcRenderer.invoke would get back. */
  async invoke(channel: string, event: InvokeEvent, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler(event, ...args);
  }
}

const RENDERER_FILE = join(__dirname, '../../out/renderer/index.html');
const fileRenderer: RendererLocation = { kind: 'file', file: RENDERER_FILE };

function adapter(labService: LabService, renderer: RendererLocation, ourFrame: SenderFrame) {
  const ipcMain = new FakeIpcMain();
  const sent: Array<{ channel: string; event: TriageEvent }> = [];
  const dispose = registerTriageIpc(ipcMain, {
    engine: inProcessEngine(labService.service),
    renderer,
    mainFrame: () => ourFrame,
    sendEvent: (channel, event) => sent.push({ channel, event }),
  });
  return { ipcMain, sent, dispose };
}

describe.skipIf(skipUnlessIsolated('the IPC adapter tests'))('IPC adapter', () => {
  let labService: LabService;
  const ourFrame = {
    url: `${pathToFileURL(RENDERER_FILE).href}#/`,
    processId: 4,
    frameToken: 'main-frame-token',
  };
  let ipc: ReturnType<typeof adapter>;

  beforeAll(async () => {
    labService = await startLabService({ face: 'desktop' });
    ipc = adapter(labService, fileRenderer, ourFrame);
  });

  afterAll(async () => {
    ipc?.dispose();
    await labService?.close();
  });

  it('registers one handler per method of the contract table, and nothing else', () => {
    expect([...ipc.ipcMain.handlers.keys()].sort()).toEqual(
      METHOD_NAMES.map((name) => IPC_INVOKE_PREFIX + name).sort(),
    );
  });

  it('answers a valid call from our window', async () => {
    const result = await ipc.ipcMain.invoke(`${IPC_INVOKE_PREFIX}listTargets`, { senderFrame: ourFrame }, {});
    expect(result).toEqual({ ok: true, value: labService.service.listTargets() });
    const info = await ipc.ipcMain.invoke(`${IPC_INVOKE_PREFIX}appInfo`, { senderFrame: ourFrame }, {});
    expect(info).toMatchObject({
      ok: true,
      value: { face: 'desktop', version: 'test', dbPath: labService.dbPath },
    });
  });

  it('runs a diagnosis on the lab, returns a valid Report and forwards its events to the window', async () => {
    ipc.sent.length = 0;
    const result = (await ipc.ipcMain.invoke(
      `${IPC_INVOKE_PREFIX}runDiagnosis`,
      { senderFrame: ourFrame },
      {},
    )) as {
      ok: boolean;
      value: unknown;
    };
    expect(result.ok).toBe(true);
    const report = ReportSchema.parse(result.value);
    expect(report.verdict.kind).toBe('healthy');
    expect(ipc.sent.every((s) => s.channel === IPC_EVENT_CHANNEL)).toBe(true);
    const names = ipc.sent.filter((s) => s.event.runId === report.runId).map((s) => s.event.name);
    expect(names).toContain('run.started');
    expect(names).toContain('attempt.started');
    expect(names).toContain('attempt.finished');
    expect(names.at(-1)).toBe('run.finished');

    const last = await ipc.ipcMain.invoke(`${IPC_INVOKE_PREFIX}lastReport`, { senderFrame: ourFrame }, {});
    expect(last).toMatchObject({ ok: true, value: { runId: report.runId } });
  });

  it('refuses arguments that fail the contract schema with ARGUMENT_INVALID naming the field', async () => {
    const result = (await ipc.ipcMain.invoke(
      `${IPC_INVOKE_PREFIX}runDiagnosis`,
      { senderFrame: ourFrame },
      { appFailing: 'yes' },
    )) as { ok: boolean; error: unknown };
    expect(result.ok).toBe(false);
    const error = CallErrorSchema.parse(result.error);
    expect(error.code).toBe('ARGUMENT_INVALID');
    expect(error.field).toBe('appFailing');
    expect(error.message).toContain('appFailing');

    const cancel = (await ipc.ipcMain.invoke(
      `${IPC_INVOKE_PREFIX}cancelDiagnosis`,
      { senderFrame: ourFrame },
      { runId: '' },
    )) as {
      error: { code: string; field?: string };
    };
    expect(cancel.error).toMatchObject({ code: 'ARGUMENT_INVALID', field: 'runId' });
  });

  it('refuses a sender that is not the main frame of our window, before the service sees the call', async () => {
    ipc.sent.length = 0;
    const cases: InvokeEvent[] = [
      { senderFrame: null },
      // An iframe (or another window) showing the same page is still not our main frame.
      { senderFrame: { url: ourFrame.url } },
      { senderFrame: { url: ourFrame.url, processId: 4, frameToken: 'iframe-token' } },
      { senderFrame: { url: ourFrame.url, processId: 5, frameToken: 'main-frame-token' } },
      { senderFrame: { url: 'https://evil.example/' } },
    ];
    for (const event of cases) {
      const result = await ipc.ipcMain.invoke(`${IPC_INVOKE_PREFIX}runDiagnosis`, event, {});
      expect(result).toMatchObject({ ok: false, error: { code: 'SENDER_REFUSED' } });
    }
    expect(ipc.sent).toEqual([]);

    // A second wrapper object for our main frame (same process and frame token) is accepted.
    const sameFrame = { url: ourFrame.url, processId: 4, frameToken: 'main-frame-token' };
    expect(
      await ipc.ipcMain.invoke(`${IPC_INVOKE_PREFIX}listTargets`, { senderFrame: sameFrame }, {}),
    ).toMatchObject({ ok: true });
  });

  it('refuses our own main frame once it shows another page', async () => {
    const frame = { url: ourFrame.url };
    const local = adapter(labService, fileRenderer, frame);
    try {
      for (const url of [
        'https://evil.example/index.html',
        pathToFileURL('/etc/passwd').href,
        'file:///tmp/out/renderer/index.html',
        'about:blank',
      ]) {
        frame.url = url;
        const result = await local.ipcMain.invoke(
          `${IPC_INVOKE_PREFIX}listTargets`,
          { senderFrame: frame },
          {},
        );
        expect(result, url).toMatchObject({ ok: false, error: { code: 'SENDER_REFUSED' } });
      }
      frame.url = `${pathToFileURL(RENDERER_FILE).href}?x=1#details`;
      expect(
        await local.ipcMain.invoke(`${IPC_INVOKE_PREFIX}listTargets`, { senderFrame: frame }, {}),
      ).toMatchObject({ ok: true });
    } finally {
      local.dispose();
    }
  });

  it('trusts the electron-vite dev server origin only when it is the renderer location', async () => {
    const dev = rendererLocation({
      mainDir: '/app/out/main',
      packaged: false,
      env: { ELECTRON_RENDERER_URL: 'http://localhost:5173' },
    });
    expect(dev).toEqual({ kind: 'dev', url: 'http://localhost:5173' });
    // A packaged app ignores the variable: the window always shows the bundled files.
    expect(
      rendererLocation({
        mainDir: '/app/out/main',
        packaged: true,
        env: { ELECTRON_RENDERER_URL: 'http://localhost:5173' },
      }),
    ).toEqual({ kind: 'file', file: join('/app/out/renderer/index.html') });

    const frame = { url: 'http://localhost:5173/#/' };
    const local = adapter(labService, dev, frame);
    try {
      expect(
        await local.ipcMain.invoke(`${IPC_INVOKE_PREFIX}listTargets`, { senderFrame: frame }, {}),
      ).toMatchObject({ ok: true });
      for (const url of [
        'http://localhost:5174/',
        'https://localhost:5173/',
        'http://127.0.0.1.evil.example:5173/',
      ]) {
        frame.url = url;
        const result = await local.ipcMain.invoke(
          `${IPC_INVOKE_PREFIX}listTargets`,
          { senderFrame: frame },
          {},
        );
        expect(result, url).toMatchObject({ ok: false, error: { code: 'SENDER_REFUSED' } });
      }
    } finally {
      local.dispose();
    }
  });

  it('removes its handlers and stops forwarding events when disposed', async () => {
    const local = adapter(labService, fileRenderer, ourFrame);
    local.dispose();
    expect(local.ipcMain.handlers.size).toBe(0);
    await labService.service.runDiagnosis({});
    expect(local.sent).toEqual([]);
  });
});
