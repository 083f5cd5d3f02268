import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BaseWindow, OpenDialogOptions, SaveDialogOptions } from 'electron';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IPC_INVOKE_PREFIX, OpenedBundleSchema } from '../../src/contract';
import { bundleDialogs, type DialogLike } from '../../src/main/file-dialogs';
import { inProcessEngine } from '../../src/core/engine/in-process';
import { registerTriageIpc, type InvokeEvent, type IpcMainLike } from '../../src/main/ipc';
import { HistoryStore } from '../../src/core/store/history';
import { record } from '../analysis/history-fixture';
import { tempService, type TempService } from '../service/fixture';

/** Electron's ipcMain cannot exist without Electron: this fake only stores handlers. */
class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, (event: InvokeEvent, ...args: unknown[]) => unknown>();
  handle(channel: string, listener: (event: InvokeEvent, ...args: unknown[]) => unknown): void {
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  invoke(method: string, event: InvokeEvent, args: unknown): Promise<unknown> {
    const handler = this.handlers.get(IPC_INVOKE_PREFIX + method);
    if (!handler) throw new Error(`no handler for ${method}`);
    return Promise.resolve(handler(event, args));
  }
}

/** Answers like a user would: with the next queued path, or cancels when the queue is empty. */
class FakeDialog implements DialogLike {
  readonly shown: Array<{ kind: 'open' | 'save'; options: OpenDialogOptions | SaveDialogOptions }> = [];
  readonly answers: string[] = [];
  async showOpenDialog(_window: BaseWindow, options: OpenDialogOptions) {
    this.shown.push({ kind: 'open', options });
    const path = this.answers.shift();
    return { canceled: path === undefined, filePaths: path ? [path] : [] };
  }
  async showSaveDialog(_window: BaseWindow, options: SaveDialogOptions) {
    this.shown.push({ kind: 'save', options });
    const path = this.answers.shift();
    // Electron 45 answers a cancelled save dialog with an empty path.
    return { canceled: path === undefined, filePath: path ?? '' };
  }
}

const RENDERER_FILE = join(__dirname, '../../out/renderer/index.html');
const ourFrame = { url: `${pathToFileURL(RENDERER_FILE).href}#/bundles`, processId: 7, frameToken: 'main' };
const window = {} as BaseWindow;

describe('IPC adapter: the UI methods, and bundle files through dialogs in main', () => {
  let temp: TempService;
  const ipcMain = new FakeIpcMain();
  const dialog = new FakeDialog();
  let hasWindow = true;
  let dispose: () => void;

  beforeAll(() => {
    temp = tempService();
    const store = HistoryStore.open(temp.dbPath, { retentionDays: 0 });
    const now = Date.now();
    record(store, now - 3 * 3_600_000, now, 3_600_000, () => false);
    store.close();
    dispose = registerTriageIpc(ipcMain, {
      engine: inProcessEngine(temp.service),
      renderer: { kind: 'file', file: RENDERER_FILE },
      mainFrame: () => ourFrame,
      sendEvent: () => {},
      files: bundleDialogs(dialog, { window: () => (hasWindow ? window : null), defaultDir: () => temp.dir }),
    });
  });

  afterAll(() => {
    dispose?.();
    temp?.close();
  });

  it('refuses invalid arguments to the new methods, naming the field', async () => {
    const ours = { senderFrame: ourFrame };
    expect(
      await ipcMain.invoke('saveTargets', ours, { targets: [{ kind: 'stun', url: 'http://not-stun' }] }),
    ).toMatchObject({ ok: false, error: { code: 'ARGUMENT_INVALID', field: 'targets.0.url' } });
    expect(
      await ipcMain.invoke('saveSettings', ours, { ...temp.service.getSettings(), concurrency: 0 }),
    ).toMatchObject({ ok: false, error: { code: 'ARGUMENT_INVALID', field: 'concurrency' } });
    expect(await ipcMain.invoke('openBundle', ours, { path: '/etc/passwd' })).toMatchObject({
      ok: false,
      error: { code: 'ARGUMENT_INVALID' },
    });
    expect(await ipcMain.invoke('exportBundle', ours, { out: '/tmp/x.zip' })).toMatchObject({
      ok: false,
      error: { code: 'ARGUMENT_INVALID' },
    });
    expect(dialog.shown).toEqual([]);
  });

  it('refuses a foreign sender before any dialog opens', async () => {
    for (const senderFrame of [
      { url: 'https://evil.example/' },
      { url: ourFrame.url, processId: 7, frameToken: 'iframe' },
      null,
    ]) {
      for (const method of ['openBundle', 'exportBundle', 'saveTargets', 'getSettings']) {
        expect(await ipcMain.invoke(method, { senderFrame }, {}), method).toMatchObject({
          ok: false,
          error: { code: 'SENDER_REFUSED' },
        });
      }
    }
    expect(dialog.shown).toEqual([]);
  });

  it('exports where the user chose in the save dialog, and opens what they chose in the open dialog', async () => {
    const ours = { senderFrame: ourFrame };
    const out = join(temp.dir, 'chosen.zip');
    dialog.answers.push(out);
    const exported = await ipcMain.invoke('exportBundle', ours, { redact: true });
    expect(exported).toMatchObject({
      ok: true,
      value: { fileName: 'chosen.zip', savedTo: out, download: null, redacted: true, counts: { runs: 3 } },
    });
    expect(existsSync(out)).toBe(true);
    const save = dialog.shown.at(-1);
    expect(save?.kind).toBe('save');
    expect((save?.options as SaveDialogOptions).defaultPath).toMatch(
      new RegExp(`^${temp.dir}/rtc-triage-.*Z\\.zip$`),
    );

    dialog.answers.push(out);
    const opened = (await ipcMain.invoke('openBundle', ours, {})) as { ok: boolean; value: unknown };
    expect(opened.ok).toBe(true);
    expect(OpenedBundleSchema.parse(opened.value)).toMatchObject({
      fileName: 'chosen.zip',
      attemptsTotal: 21,
    });
    expect(dialog.shown.at(-1)?.options).toMatchObject({
      properties: ['openFile'],
      filters: [{ extensions: ['zip'] }],
    });

    // Cancelled dialogs: null, nothing written.
    expect(await ipcMain.invoke('openBundle', ours, {})).toEqual({ ok: true, value: null });
    expect(await ipcMain.invoke('exportBundle', ours, {})).toEqual({ ok: true, value: null });
    // No window (closing): no dialog at all.
    hasWindow = false;
    const shown = dialog.shown.length;
    expect(await ipcMain.invoke('openBundle', ours, {})).toEqual({ ok: true, value: null });
    expect(dialog.shown.length).toBe(shown);
    hasWindow = true;
  });

  it('answers the screens’ reads from our window', async () => {
    const ours = { senderFrame: ourFrame };
    for (const [method, args] of [
      ['serverStatus', {}],
      ['historyCharts', { sinceMs: 86_400_000, timeZone: 'UTC' }],
      ['listAttempts', { limit: 5 }],
      ['getSettings', {}],
    ] as const) {
      expect(await ipcMain.invoke(method, ours, args), method).toMatchObject({ ok: true });
    }
  });
});
