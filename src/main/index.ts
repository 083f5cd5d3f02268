import { join } from 'node:path';
import { BrowserWindow, Notification, app, dialog, ipcMain, session, utilityProcess } from 'electron';
import { EngineSupervisor } from '../core/engine/supervisor';
import { utilityEngine } from './engine-process';
import { bundleDialogs } from './file-dialogs';
import { registerTriageIpc } from './ipc';
import { registerMonitorNotifications } from './notifications';
import { rendererLocation } from './renderer-location';
import { secureAllWebContents, secureSession } from './security';
import { createMainWindow } from './window';

/**
 * The Electron main process: it only shows windows. The engine (SQLite, WebRTC, signaling, the
 * monitor, bundles) runs in a utility process (dist/engine.cjs) that the supervisor restarts when it
 * dies; main checks each IPC sender and forwards the call. Everything beyond wiring (window options,
 * session security, the IPC adapter) lives in modules that tests load without Electron.
 */
let mainWindow: BrowserWindow | null = null;
let engine: EngineSupervisor | null = null;
let disposeIpc: (() => void) | null = null;
let disposeNotifications: (() => void) | null = null;

function start(): void {
  if (app.isPackaged && !process.env.RTC_TRIAGE_RESOURCES) {
    process.env.RTC_TRIAGE_RESOURCES = join(process.resourcesPath, 'resources');
  }
  const renderer = rendererLocation({ mainDir: __dirname, packaged: app.isPackaged });
  secureSession(session.defaultSession);

  // The Node-ABI better-sqlite3 in node_modules stays for tests and the CLI; `npm start` builds an
  // Electron-ABI copy and passes its path here.
  const nativeBinding = process.env.RTC_TRIAGE_SQLITE_BINDING;
  const dist = join(app.getAppPath(), 'dist');
  engine = new EngineSupervisor({
    spawn: utilityEngine(utilityProcess, join(dist, 'engine.cjs'), process.env),
    options: {
      face: 'desktop',
      version: app.getVersion(),
      useSavedSettings: true,
      // a schedule switched on in Settings survives a restart
      resumeSchedule: true,
      ...(nativeBinding ? { nativeBinding } : {}),
      // the WebRTC probes run in children of this Electron binary acting as Node (docs/architecture.md)
      peerHosts: { entry: join(dist, 'peer-host.cjs'), execPath: process.execPath, runAsNode: true },
    },
  });
  void engine.start().catch((error: unknown) => console.error('RTC Triage engine:', error));

  disposeIpc = registerTriageIpc(ipcMain, {
    engine,
    renderer,
    mainFrame: () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow.webContents.mainFrame : null),
    sendEvent: (channel, event) => {
      if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(channel, event);
    },
    files: bundleDialogs(dialog, {
      window: () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow : null),
      defaultDir: () => app.getPath('downloads'),
    }),
  });

  // The monitor switch's alerts and recoveries, one notification per episode edge.
  disposeNotifications = registerMonitorNotifications(engine, Notification, () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  mainWindow = createMainWindow(BrowserWindow, {
    preloadPath: join(__dirname, '../preload/index.js'),
    renderer,
  });
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
}

function shutdown(): void {
  disposeNotifications?.();
  disposeNotifications = null;
  disposeIpc?.();
  disposeIpc = null;
  void engine?.close();
  engine = null;
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  secureAllWebContents(app);
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', shutdown);
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      console.error('RTC Triage could not start:', error);
      app.exit(1);
    });
}
