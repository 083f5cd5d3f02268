import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CallErrorSchema,
  ReportSchema,
  TriageEventSchema,
  CONTENT_SECURITY_POLICY,
  type Report,
  type TriageEvent,
} from '../../src/contract';
import { MAX_BODY_BYTES, startServe, type ServeHandle } from '../../src/cli/serve';
import { postJson, rawRequest } from '../helpers/http';
import { startLabService, type LabService } from '../helpers/lab-service';
import { skipUnlessIsolated } from '../helpers/isolation';

/** A renderer folder with known files, and a secret next to it that must never be served. */
function fixtureSite(): { dir: string; rendererDir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-serve-'));
  const rendererDir = join(dir, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>fixture-index</title>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log("fixture-app");');
  writeFileSync(join(rendererDir, 'assets', 'app.css'), 'body{}');
  writeFileSync(join(dir, 'secret.txt'), 'TOP-SECRET');
  symlinkSync(join(dir, 'secret.txt'), join(rendererDir, 'link.txt'));
  return { dir, rendererDir };
}

/** Opens the event stream and collects events until `stop()`. */
function openEventStream(
  url: string,
): Promise<{ events: TriageEvent[]; response: IncomingMessage; stop(): void; ended: Promise<void> }> {
  const target = new URL('/api/events', url);
  const token = new URL(url).searchParams.get('token');
  return new Promise((resolve, reject) => {
    const headers = token ? { Authorization: `Bearer ${token}` } : {};
    const req = request(target, { agent: false, headers }, (response) => {
      const events: TriageEvent[] = [];
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split('\n')
            .filter((line) => line.startsWith('data: '))
            .map((line) => line.slice(6))
            .join('\n');
          if (data) events.push(TriageEventSchema.parse(JSON.parse(data)));
        }
      });
      const ended = new Promise<void>((done) => response.on('close', () => done()));
      resolve({ events, response, stop: () => req.destroy(), ended });
    });
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(skipUnlessIsolated('the serve tests'))('rtc-triage serve', () => {
  let labService: LabService;
  let server: ServeHandle;
  let site: { dir: string; rendererDir: string };

  beforeAll(async () => {
    site = fixtureSite();
    labService = await startLabService();
    server = await startServe({
      service: labService.service,
      host: '127.0.0.1',
      port: 0,
      rendererDir: site.rendererDir,
    });
  });

  afterAll(async () => {
    await server?.close();
    await labService?.close();
    if (site) rmSync(site.dir, { recursive: true, force: true });
  });

  it('listens on loopback and reports its URL', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('serves the renderer with the CSP header and the right content types', async () => {
    const index = await rawRequest(server.address, { path: '/' });
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect(index.body).toContain('fixture-index');

    const script = await rawRequest(server.address, { path: '/assets/app.js' });
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(script.body).toContain('fixture-app');

    const style = await rawRequest(server.address, { path: '/assets/app.css?v=1' });
    expect(style.headers['content-type']).toBe('text/css; charset=utf-8');

    expect((await rawRequest(server.address, { path: '/assets/missing.js' })).status).toBe(404);
    expect((await rawRequest(server.address, { method: 'DELETE', path: '/index.html' })).status).toBe(405);
  });

  it('refuses path traversal, encoded or through a symlink', async () => {
    for (const path of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/link.txt',
      '/..%5csecret.txt',
    ]) {
      const response = await rawRequest(server.address, { path });
      expect([400, 403, 404], path).toContain(response.status);
      expect(response.body, path).not.toContain('TOP-SECRET');
    }
    expect((await rawRequest(server.address, { path: '/../secret.txt' })).status).toBe(403);
    expect((await rawRequest(server.address, { path: '/link.txt' })).status).toBe(403);
    expect((await rawRequest(server.address, { path: '/%E0%A4%A' })).status).toBe(400);
    expect((await rawRequest(server.address, { path: '/index.html%00.js' })).status).toBe(400);
  });

  it('answers invalid JSON with 400 and a CallError', async () => {
    const response = await postJson(server.address, 'listTargets', '{ not json');
    expect(response.status).toBe(400);
    const body = JSON.parse(response.body) as { ok: boolean; error: unknown };
    expect(body.ok).toBe(false);
    expect(CallErrorSchema.parse(body.error).code).toBe('BAD_REQUEST');
  });

  it('refuses a body over 64 KB with 413', async () => {
    const big = JSON.stringify({ appFailing: false, padding: 'x'.repeat(MAX_BODY_BYTES) });
    const response = await postJson(server.address, 'runDiagnosis', big);
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toMatchObject({ ok: false, error: { code: 'BODY_TOO_LARGE' } });

    // Without a Content-Length the limit is enforced while reading.
    const chunked = await postJson(server.address, 'runDiagnosis', big, { 'Transfer-Encoding': 'chunked' });
    expect(chunked.status).toBe(413);
  });

  it('goes through the contract: unknown method 404, bad arguments 400 naming the field', async () => {
    const unknown = await postJson(server.address, 'dropDatabase', '{}');
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });

    const invalid = await postJson(server.address, 'runDiagnosis', JSON.stringify({ appFailing: 'yes' }));
    expect(invalid.status).toBe(400);
    expect(JSON.parse(invalid.body)).toMatchObject({
      ok: false,
      error: { code: 'ARGUMENT_INVALID', field: 'appFailing' },
    });

    const get = await rawRequest(server.address, { path: '/api/call/listTargets' });
    expect(get.status).toBe(405);
    const form = await rawRequest(server.address, {
      method: 'POST',
      path: '/api/call/listTargets',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    });
    expect(form.status).toBe(415);
  });

  it('refuses requests addressed to another host or from another origin (DNS rebinding)', async () => {
    const port = new URL(server.url).port;
    const wrongHost = await rawRequest(server.address, {
      path: '/',
      headers: { Host: `evil.example:${port}` },
    });
    expect(wrongHost.status).toBe(403);
    expect(wrongHost.body).not.toContain('fixture-index');
    expect((await rawRequest(server.address, { path: '/', headers: { Host: '127.0.0.1:1' } })).status).toBe(
      403,
    );
    expect(
      (await postJson(server.address, 'listTargets', '{}', { Host: `rebind.example:${port}` })).status,
    ).toBe(403);
    const wrongOrigin = await postJson(server.address, 'listTargets', '{}', {
      Origin: 'http://evil.example',
    });
    expect(wrongOrigin.status).toBe(403);
    expect((await postJson(server.address, 'listTargets', '{}', { Origin: 'null' })).status).toBe(403);

    const sameOrigin = await postJson(server.address, 'listTargets', '{}', {
      Origin: `http://127.0.0.1:${port}`,
    });
    expect(sameOrigin.status).toBe(200);
    const viaLocalhost = await rawRequest(server.address, {
      path: '/',
      headers: { Host: `localhost:${port}` },
    });
    expect(viaLocalhost.status).toBe(200);
  });

  it('runs a diagnosis whose Report validates, and streams its events over SSE while it runs', async () => {
    const stream = await openEventStream(server.address);
    try {
      const response = await postJson(server.address, 'runDiagnosis', '{}');
      expect(response.status).toBe(200);
      const body = JSON.parse(response.body) as { ok: boolean; value: unknown };
      expect(body.ok).toBe(true);
      const report: Report = ReportSchema.parse(body.value);
      expect(report.verdict.kind).toBe('healthy');
      // every lab target, plus this machine itself (the L0 WebRTC check)
      expect(
        report.targets
          .filter((t) => t.kind !== 'machine')
          .map((t) => t.url)
          .sort(),
      ).toEqual(labService.lab.config.targets.map((t) => t.url).sort());
      expect(report.targets.find((t) => t.kind === 'machine')?.layer).toBe('L0');

      // Events are written to the stream before the call's response; wait for the last one to arrive.
      await new Promise<void>((resolve) => {
        const check = () =>
          stream.events.some((e) => e.name === 'run.finished' && e.runId === report.runId)
            ? resolve()
            : undefined;
        stream.response.on('data', check);
        check();
      });
      const names = stream.events.filter((e) => e.runId === report.runId).map((e) => e.name);
      expect(names[0]).toBe('run.started');
      expect(names).toContain('attempt.started');
      expect(names).toContain('attempt.finished');
      expect(names.at(-1)).toBe('run.finished');

      const last = await postJson(server.address, 'lastReport', '{}');
      expect(JSON.parse(last.body)).toMatchObject({ ok: true, value: { runId: report.runId } });
    } finally {
      stream.stop();
    }
  });

  it('ends open event streams when closed', async () => {
    const own = await startServe({
      service: labService.service,
      host: '127.0.0.1',
      port: 0,
      rendererDir: site.rendererDir,
    });
    let closed = false;
    try {
      const stream = await openEventStream(own.address);
      expect(stream.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      await own.close();
      closed = true;
      await stream.ended;
    } finally {
      if (!closed) await own.close();
    }
  });

  it('says the UI is not built when the renderer folder is empty', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'rtc-triage-empty-'));
    const own = await startServe({
      service: labService.service,
      host: '127.0.0.1',
      port: 0,
      rendererDir: empty,
    });
    try {
      const response = await rawRequest(own.address, { path: '/' });
      expect(response.status).toBe(503);
      expect(response.body).toContain('npm run build');
    } finally {
      await own.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
