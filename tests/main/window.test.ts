import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, isPermissionAllowed } from '../../src/main/security';
import { mainWindowOptions } from '../../src/main/window';
import { OUT_MAIN, OUT_PRELOAD, RENDERER_DIR, ROOT } from '../helpers/build';

describe('main window options', () => {
  it('isolates the renderer: context isolation, sandbox, no Node, web security', () => {
    const options = mainWindowOptions('/app/out/preload/index.js');
    expect(options.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.js',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('denies every permission by default', () => {
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'clipboard-read',
      'openExternal',
      'unknown',
    ]) {
      expect(isPermissionAllowed(permission), permission).toBe(false);
    }
  });

  it('uses one CSP everywhere: Electron header, serve header and the renderer meta tag', () => {
    const html = readFileSync(join(ROOT, 'src/renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
    expect(meta?.[1]).toBe(CONTENT_SECURITY_POLICY);
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ]) {
      expect(CONTENT_SECURITY_POLICY).toContain(directive);
    }
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
  });
});

describe('electron-vite build output', () => {
  let main: string;
  let preload: string;
  let html: string;

  beforeAll(() => {
    main = readFileSync(OUT_MAIN, 'utf8');
    preload = readFileSync(OUT_PRELOAD, 'utf8');
    html = readFileSync(join(RENDERER_DIR, 'index.html'), 'utf8');
  });

  it('keeps the security settings in the built main bundle', () => {
    for (const setting of [
      'contextIsolation: true',
      'sandbox: true',
      'nodeIntegration: false',
      'webSecurity: true',
    ]) {
      expect(main, setting).toContain(setting);
    }
    expect(main).toContain('will-navigate');
    expect(main).toContain('setWindowOpenHandler');
    expect(main).toContain('setPermissionRequestHandler');
    expect(main).toContain(CONTENT_SECURITY_POLICY);
    expect(main).toContain('requestSingleInstanceLock');
  });

  it('main only shows windows: its bundle loads no SQLite, WebRTC, signaling, zip or engine code', () => {
    // issue 20: the engine runs in its own process (dist/engine.cjs); main requires Electron, Node's
    // own modules and the contract's zod, nothing else
    const required = [...new Set([...main.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]))];
    expect(
      required.filter((name) => name !== 'electron' && name !== 'zod' && !name?.startsWith('node:')),
    ).toEqual([]);
    for (const engineOnly of [
      'SQLITE_VERSION_NUMBER',
      'function Gun(',
      'class TriageService',
      'class HistoryStore',
      'class PeerHostPool',
      'createRequire',
    ])
      expect(main, engineOnly).not.toContain(engineOnly);
    // nothing else is built into out/main (the peer host moved to dist/ with the engine)
    expect(readdirSync(join(ROOT, 'out', 'main')).filter((f) => f.endsWith('.js'))).toEqual(['index.js']);
  });

  it('builds a sandbox-compatible preload: CommonJS that requires nothing but electron', () => {
    const required = [...preload.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]);
    expect(required).toEqual(['electron']);
    expect(preload).toContain('exposeInMainWorld');
    expect(preload).not.toMatch(/^\s*(import|export)\s/m);
  });

  it('ships the renderer with its CSP meta tag and relative asset paths', () => {
    expect(html).toContain(CONTENT_SECURITY_POLICY);
    expect(html).toMatch(/<script type="module" crossorigin src="\.\/assets\/[^"]+\.js"><\/script>/);
  });
});
