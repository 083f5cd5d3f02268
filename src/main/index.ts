import { join } from 'node:path';
import { BrowserWindow, Notification, app, dialog, ipcMain, session } from 'electron';
import { TriageService } from '../core/service';
import { peerHostsFromEnv, type PeerHostOptions } from '../core/isolation/pool';
import { bundleDialogs } from './file-dialogs';
import { registerTriageIpc } from './ipc';
import { registerMonitorNotifications } from './notifications';
import { rendererLocation } from './renderer-location';
import { secureAllWebContents, secureSession } from './security';
import { createMainWindow } from './window';

/**
 * The Electron main process: thin on purpose. Everything it does beyond wiring (window options,
 * session security, the IPC adapter) lives in modules that tests load without Electron.
 */
let mainWindow: BrowserWindow | null = null;
let service: TriageService | null = null;
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
  service = new TriageService({
    face: 'desktop',
    version: app.getVersion(),
    useSavedSettings: true,
    ...(nativeBinding ? { dbOptions: { nativeBinding } } : {}),
    ...desktopPeerHosts(),
  });

  disposeIpc = registerTriageIpc(ipcMain, {
    service,
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
  disposeNotifications = registerMonitorNotifications(service, Notification, () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  // A schedule switched on in Settings survives a restart.
  void service.resumeSchedule().catch((error: unknown) => console.error('monitor schedule:', error));

  mainWindow = createMainWindow(BrowserWindow, {
    preloadPath: join(__dirname, '../preload/index.js'),
    renderer,
  });
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
}

/** The WebRTC probes run in child processes of this Electron binary acting as Node (docs/architecture.md). */
function desktopPeerHosts(): { peerHosts?: PeerHostOptions } {
  const options = peerHostsFromEnv({
    entry: join(__dirname, 'peer-host.js'),
    execPath: process.execPath,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  return options ? { peerHosts: options } : {};
}

function shutdown(): void {
  disposeNotifications?.();
  disposeNotifications = null;
  disposeIpc?.();
  disposeIpc = null;
  service?.close();
  service = null;
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
