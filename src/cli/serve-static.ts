import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { sendText } from './serve-http';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export type StaticFile =
  { kind: 'file'; path: string; size: number } | { kind: 'missing' } | { kind: 'refused' } | { kind: 'bad' };

/** Maps a URL path to a file inside `root`, refusing anything that would leave it (also via symlinks). */
export async function resolveStaticFile(root: string, urlPath: string): Promise<StaticFile> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { kind: 'bad' };
  }
  if (decoded.includes('\0')) return { kind: 'bad' };
  const wanted = resolve(root, `.${decoded.endsWith('/') ? `${decoded}index.html` : decoded}`);
  if (!isInside(root, wanted)) return { kind: 'refused' };
  try {
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(wanted)]);
    if (!isInside(realRoot, realFile)) return { kind: 'refused' };
    const info = await stat(realFile);
    if (!info.isFile()) return { kind: 'missing' };
    return { kind: 'file', path: realFile, size: info.size };
  } catch {
    return { kind: 'missing' };
  }
}

export function isInside(root: string, file: string): boolean {
  const rel = relative(root, file);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** Serves a file of the built renderer: GET and HEAD only, never outside `rendererDir`. */
export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  rendererDir: string,
  urlPath: string,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    sendText(res, 405, 'method not allowed');
    return;
  }
  const file = await resolveStaticFile(rendererDir, urlPath);
  if (file.kind === 'refused') return sendText(res, 403, 'forbidden');
  if (file.kind === 'bad') return sendText(res, 400, 'bad request');
  if (file.kind === 'missing') {
    if (urlPath === '/' || urlPath === '/index.html') {
      return sendText(
        res,
        503,
        `the UI is not built (no index.html in ${rendererDir}); run "npm run build" first`,
      );
    }
    return sendText(res, 404, 'not found');
  }
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': String(file.size),
    // The HTML names hashed assets, so it must be revalidated; the assets never change.
    'Cache-Control': file.path.endsWith('.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file.path)
    .on('error', () => res.destroy())
    .pipe(res);
}
