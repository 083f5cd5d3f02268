import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Where the renderer is loaded from: the built `out/renderer/index.html`, or electron-vite's dev
 * server (ELECTRON_RENDERER_URL) during `electron-vite dev`. The IPC adapter trusts exactly this.
 */
export type RendererLocation = { kind: 'file'; file: string } | { kind: 'dev'; url: string };

export function rendererLocation(options: {
  mainDir: string;
  packaged: boolean;
  env?: NodeJS.ProcessEnv;
}): RendererLocation {
  const devUrl = (options.env ?? process.env).ELECTRON_RENDERER_URL;
  // A packaged app never follows the env variable: it would let anyone who can set the
  // environment point the trusted window at another origin.
  if (!options.packaged && devUrl && isHttpUrl(devUrl)) return { kind: 'dev', url: devUrl };
  return { kind: 'file', file: join(options.mainDir, '..', 'renderer', 'index.html') };
}

function isHttpUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** True when `raw` is a page of our renderer: the same file (any hash/query) or the dev server origin. */
export function isRendererUrl(raw: string, location: RendererLocation): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (location.kind === 'dev') return url.origin === new URL(location.url).origin;
  if (url.protocol !== 'file:' || (url.host !== '' && url.host !== 'localhost')) return false;
  try {
    return fileURLToPath(url) === fileURLToPath(pathToFileURL(location.file));
  } catch {
    return false;
  }
}
