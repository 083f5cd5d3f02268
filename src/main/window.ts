import type { BrowserWindow, BrowserWindowConstructorOptions } from 'electron';
import type { RendererLocation } from './renderer-location';

/**
 * The one window's options. Exported on its own so a test can assert the security settings
 * without starting Electron (which cannot run on the build machines).
 */
export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1100,
    height: 760,
    minWidth: 800,
    minHeight: 600,
    title: 'RTC Triage',
    show: false,
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  };
}

/**
 * Creates the window and loads the renderer. The BrowserWindow class is passed in so that this module
 * has no runtime dependency on `electron` (tests import it under plain Node).
 */
export function createMainWindow(
  BrowserWindowClass: typeof BrowserWindow,
  options: { preloadPath: string; renderer: RendererLocation },
): BrowserWindow {
  const window = new BrowserWindowClass(mainWindowOptions(options.preloadPath));
  denyNavigation(window);
  window.once('ready-to-show', () => window.show());
  if (options.renderer.kind === 'dev') void window.loadURL(options.renderer.url);
  else void window.loadFile(options.renderer.file);
  return window;
}

/** The UI is a single page: it never navigates and never opens windows. */
export function denyNavigation(window: BrowserWindow): void {
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  window.webContents.on('will-attach-webview', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
}
