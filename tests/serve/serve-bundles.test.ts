import { existsSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundleExportSchema, OpenedBundleSchema } from '../../src/contract';
import { MAX_BUNDLE_UPLOAD_BYTES, startServe, type ServeHandle } from '../../src/cli/serve';
import { ServeFiles } from '../../src/cli/serve-files';
import { HistoryStore } from '../../src/core/store/history';
import { record } from '../analysis/history-fixture';
import { RENDERER_DIR } from '../helpers/build';
import { postJson, rawRequest } from '../helpers/http';
import { tempService, type TempService } from '../service/fixture';

const HOUR = 3_600_000;

function upload(url: string, body: Buffer, headers: Record<string, string> = {}) {
  return rawRequest(url, {
    method: 'POST',
    path: '/api/call/openBundle',
    headers: { 'Content-Type': 'application/zip', ...headers },
    body,
  });
}

/** `rawRequest` reads text; a zip needs its bytes. */
async function download(
  url: string,
  path: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  const token = new URL(url).searchParams.get('token') ?? '';
  const response = await fetch(new URL(path, url), { headers: { Authorization: `Bearer ${token}` } });
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: Buffer.from(await response.arrayBuffer()),
  };
}

describe('serve: bundles over HTTP (export as a one-time download, open from uploaded bytes)', () => {
  let temp: TempService;
  let server: ServeHandle;

  beforeAll(async () => {
    temp = tempService();
    const store = HistoryStore.open(temp.dbPath, { retentionDays: 0 });
    const now = Date.now();
    record(store, now - 6 * HOUR, now, HOUR, () => false);
    store.close();
    server = await startServe({
      service: temp.service,
      host: '127.0.0.1',
      port: 0,
      rendererDir: RENDERER_DIR,
    });
  });

  afterAll(async () => {
    await server?.close();
    temp?.close();
  });

  it('exports to a download that is served once, as an attachment', async () => {
    const response = await postJson(server.address, 'exportBundle', JSON.stringify({ sinceMs: 86_400_000 }));
    expect(response.status).toBe(200);
    const result = BundleExportSchema.parse((JSON.parse(response.body) as { value: unknown }).value);
    expect(result).toMatchObject({ savedTo: null, redacted: true, counts: { runs: 6 } });
    expect(result.download).toMatch(/^\/api\/download\/[0-9a-f]{32}$/);

    const zip = await download(server.address, result.download ?? '');
    expect(zip.status).toBe(200);
    expect(zip.headers['content-type']).toBe('application/zip');
    expect(zip.headers['content-disposition']).toBe(`attachment; filename="${result.fileName}"`);
    expect(zip.body.subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004');
    expect((await download(server.address, result.download ?? '')).status).toBe(404);

    // …and the bytes open again through the upload.
    const opened = await upload(server.address, zip.body, {
      'X-Bundle-Name': encodeURIComponent('ticket 42/../x.zip'),
    });
    expect(opened.status).toBe(200);
    const view = OpenedBundleSchema.parse((JSON.parse(opened.body) as { value: unknown }).value);
    // The name is shown, never used as a path: only its last segment is kept.
    expect(view.fileName).toBe('x.zip');
    expect(view.manifest.counts.runs).toBe(6);
    expect(view.attemptsTotal).toBe(6 * 7);
  });

  it('refuses an upload that is not a bundle, too large, of another type or from another origin', async () => {
    const junk = await upload(server.address, Buffer.from('not a zip at all'));
    expect(junk.status).toBe(400);
    expect(JSON.parse(junk.body)).toMatchObject({ ok: false, error: { code: 'ARGUMENT_INVALID' } });
    expect(junk.body).toContain('is not a valid RTC Triage bundle');

    const big = await upload(server.address, Buffer.alloc(MAX_BUNDLE_UPLOAD_BYTES + 1));
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body)).toMatchObject({ error: { code: 'BODY_TOO_LARGE' } });

    const text = await upload(server.address, Buffer.from('x'), { 'Content-Type': 'text/plain' });
    expect(text.status).toBe(415);
    const json = await postJson(server.address, 'openBundle', '{}');
    expect(json.status).toBe(400);
    expect(json.body).toContain('send the file as the request body');
    const foreign = await upload(server.address, Buffer.from('x'), { Origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
  });

  it('answers 404 for unknown or malformed download ids, and only GETs downloads', async () => {
    for (const path of [
      '/api/download/0123',
      '/api/download/../../etc/passwd',
      `/api/download/${'a'.repeat(32)}`,
    ]) {
      const response = await rawRequest(server.address, { path });
      expect(response.status, path).toBe(404);
    }
    const post = await rawRequest(server.address, {
      method: 'POST',
      path: `/api/download/${'a'.repeat(32)}`,
    });
    expect(post.status).toBe(405);
  });
});

describe('ServeFiles (the temp files behind uploads and downloads)', () => {
  it('keeps an upload only until removed, a download once, and leaves nothing behind on close', async () => {
    const files = await ServeFiles.create();
    expect(files.dir.startsWith(tmpdir())).toBe(true);
    expect((statSync(files.dir).mode & 0o777).toString(8)).toBe('700');
    const upload = await files.saveUpload(Buffer.from('bytes'));
    expect(readFileSync(upload.path, 'utf8')).toBe('bytes');
    await upload.remove();
    expect(existsSync(upload.path)).toBe(false);

    const reserved = await files.reserveDownload('b.zip');
    const id = reserved.download.split('/').at(-1) ?? '';
    const taken = files.take(id);
    expect(taken?.path).toBe(reserved.path);
    expect(files.take(id)).toBeNull();
    await taken?.done();

    await files.reserveDownload('pending.zip');
    await files.close();
    expect(existsSync(files.dir)).toBe(false);
  });
});
