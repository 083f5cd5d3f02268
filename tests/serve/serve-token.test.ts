import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type ServeHandle } from '../../src/cli/serve';
import { isLoopbackHost, tokenCookieName } from '../../src/cli/serve-auth';
import { RENDERER_DIR } from '../helpers/build';
import { postJson, rawRequest } from '../helpers/http';
import { tempService, type TempService } from '../service/fixture';

const TOKEN = 'test-token-0123456789abcdef';

describe('serve: access token', () => {
  let temp: TempService;
  let server: ServeHandle;

  beforeAll(async () => {
    temp = tempService();
    server = await startServe({
      service: temp.service,
      host: '127.0.0.1',
      port: 0,
      rendererDir: RENDERER_DIR,
      token: TOKEN,
    });
  });

  afterAll(async () => {
    await server?.close();
    temp?.close();
  });

  it('is required on every address, loopback included, and must be long enough', async () => {
    // issue 19: any local user (tested as `nobody`) could call listTargets on a loopback server
    for (const host of ['127.0.0.1', '0.0.0.0']) {
      const own = await startServe({ service: temp.service, host, port: 0, rendererDir: RENDERER_DIR });
      try {
        expect(own.token.length).toBeGreaterThanOrEqual(16);
        expect(own.token).not.toBe(server.token);
        expect(own.address).toBe(`${own.url}?token=${encodeURIComponent(own.token)}`);
        const local = `http://127.0.0.1:${new URL(own.url).port}/`;
        expect((await postJson(local, 'listTargets', '{}')).status).toBe(401);
        expect(
          (await postJson(local, 'listTargets', '{}', { Authorization: `Bearer ${own.token}` })).status,
        ).toBe(200);
      } finally {
        await own.close();
      }
    }
    await expect(
      startServe({
        service: temp.service,
        host: '127.0.0.1',
        port: 0,
        rendererDir: RENDERER_DIR,
        token: 'short',
      }),
    ).rejects.toThrow(/at least 16 characters/);
    expect(['127.0.0.1', '127.8.9.1', '::1', 'localhost'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '::', '10.0.0.1', '127.example'].some(isLoopbackHost)).toBe(false);
  });

  it('refuses pages, calls and the event stream without it', async () => {
    for (const response of [
      await rawRequest(server.url, { path: '/' }),
      await rawRequest(server.url, { path: '/api/events' }),
      await postJson(server.url, 'listTargets', '{}'),
      await postJson(server.url, 'listTargets', '{}', { Authorization: 'Bearer wrong-token-0123456789' }),
      await postJson(server.url, 'listTargets', '{}', { Cookie: `${tokenCookieName(1)}=${TOKEN}` }),
    ]) {
      expect(response.status).toBe(401);
      expect(JSON.parse(response.body)).toMatchObject({ ok: false, error: { code: 'TOKEN_REQUIRED' } });
    }
  });

  it('accepts a bearer token, or the cookie set by opening the printed address', async () => {
    expect(
      (await postJson(server.url, 'listTargets', '{}', { Authorization: `Bearer ${TOKEN}` })).status,
    ).toBe(200);

    const opened = await rawRequest(server.url, { path: `/?token=${TOKEN}` });
    expect(opened.status).toBe(303);
    expect(opened.headers.location).toBe('/');
    const cookie = String(opened.headers['set-cookie']);
    expect(cookie).toContain(`${tokenCookieName(Number(new URL(server.url).port))}=${TOKEN}`);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const jar = cookie.split(';')[0] ?? '';
    const page = await rawRequest(server.url, { path: '/', headers: { Cookie: jar } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<div id="root">');
    expect((await postJson(server.url, 'listTargets', '{}', { Cookie: `other=1; ${jar}` })).status).toBe(200);

    // Only a page load trades the query token for the cookie; a wrong one gets nothing.
    expect((await rawRequest(server.url, { path: '/?token=wrong-token-0123456789' })).status).toBe(401);
    expect(
      (
        await rawRequest(server.url, {
          method: 'POST',
          path: `/api/call/listTargets?token=${TOKEN}`,
          headers: { 'Content-Type': 'application/json' },
          body: '{}',
        })
      ).status,
    ).toBe(401);
  });
});
