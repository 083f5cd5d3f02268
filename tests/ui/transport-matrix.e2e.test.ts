import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type ServeHandle } from '../../src/cli/serve';
import { RENDERER_DIR } from '../helpers/build';
import { makeLabCerts } from '../helpers/certs';
import { hasCoturn, startCoturn, type Coturn } from '../helpers/coturn';
import { skipUnlessIsolated } from '../helpers/isolation';
import { startLabService, type LabService } from '../helpers/lab-service';
import { freePort } from '../helpers/ports';
import {
  backgroundColor,
  hasChromium,
  horizontalOverflow,
  launchBrowser,
  screenshot,
  type Browser,
} from './browser';

// Issue 18, item 2: the Servers screen shows each TURN server's transport matrix (rows: server and
// address family; columns: transport and port), from a real diagnosis of real coturn.

describe.skipIf(!hasChromium || !hasCoturn || skipUnlessIsolated('the transport matrix UI test'))(
  'the transport matrix on the Servers screen, in Chromium',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-matrix-ui-'));
    let turn: Coturn;
    let closed: number;
    let labService: LabService;
    let server: ServeHandle;
    let browser: Browser;

    beforeAll(async () => {
      const certs = makeLabCerts(join(dir, 'certs'));
      turn = await startCoturn({ alsoIp: '::1', tls: certs.good });
      closed = await freePort();
      const credentials = { username: turn.user, credential: turn.password };
      labService = await startLabService({
        useSavedSettings: true,
        extend: (config) => ({
          ...config,
          tls: { caFile: certs.caFile },
          timeouts: { stunMs: 1000, iceGatheringMs: 3000, connectMs: 5000 },
          retry: { maxAttempts: 1 },
          targets: [
            ...config.targets,
            {
              kind: 'turn',
              id: 'turn-v4',
              url: `turn:127.0.0.1:${turn.port}?transport=udp`,
              ...credentials,
              transports: [`tcp:${turn.port}`, `tls:${turn.tlsPort}`, `tcp:${closed}`],
            },
            {
              kind: 'turn',
              id: 'turn-v6',
              url: `turn:[::1]:${closed}?transport=udp`,
              ...credentials,
              transports: [`udp:${turn.port}`, `tcp:${turn.port}`],
            },
          ],
        }),
      });
      server = await startServe({
        service: labService.service,
        host: '127.0.0.1',
        port: 0,
        rendererDir: RENDERER_DIR,
      });
      browser = await launchBrowser();
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await labService?.close();
      await turn?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('shows up, down and not offered per transport and family, the configured URL starred', async () => {
      const page = await browser.open(server.address);
      await page.getByText('No diagnosis yet').waitFor();
      await page.getByRole('button', { name: 'Run diagnosis' }).click();
      await page.getByTestId('verdict-card').waitFor({ timeout: 60_000 });

      await page.goto(`${server.address.replace(/\?.*$/, '')}#servers`);
      const matrix = page.getByTestId('transport-matrix');
      await matrix.waitFor();
      expect(await matrix.getByRole('heading', { name: 'Transport matrix' }).count()).toBe(1);
      const header = await matrix.locator('thead th').allTextContents();
      expect(header).toEqual([
        'Server',
        'Family',
        `UDP ${turn.port}`,
        `TCP ${turn.port}`,
        `TLS ${turn.tlsPort}`,
        `TCP ${closed}`,
        `UDP ${closed}`,
      ]);

      const state = async (cell: string) => {
        const cells = await matrix.locator(`[data-testid="matrix-cell"][data-cell="${cell}"]`).all();
        return Promise.all(cells.map((c) => c.getAttribute('data-state')));
      };
      // IPv4 row of turn-v4, IPv6 row of turn-v6 (the other two rows: no address of that family)
      expect(await state(`udp:${turn.port}/4`)).toEqual(['up']);
      expect(await state(`tls:${turn.tlsPort}/4`)).toEqual(['up']);
      expect(await state(`tcp:${closed}/4`)).toEqual(['not-offered']);
      expect(await state(`udp:${closed}/6`)).toEqual(['down']);
      expect(await state(`udp:${turn.port}/6`)).toEqual(['up']);
      expect(await matrix.getByText('no IPv6 address for 127.0.0.1').count()).toBe(1);
      expect(await matrix.getByText('no IPv4 address for ::1').count()).toBe(1);

      // the configured URL is starred, and a down cell says why on hover
      const configured = matrix.locator(`[data-cell="udp:${closed}/6"]`);
      expect(await configured.locator('.matrix-configured').count()).toBe(1);
      expect(await configured.getAttribute('title')).toMatch(/^UDP \d+ over IPv6: down — .*refused/);

      expect(await horizontalOverflow(page)).toBe(0);
      await page.emulateMedia({ colorScheme: 'light' });
      const light = await backgroundColor(page);
      await matrix.scrollIntoViewIfNeeded();
      await screenshot(page, 'servers-matrix-light');
      await page.emulateMedia({ colorScheme: 'dark' });
      expect(await backgroundColor(page)).not.toBe(light);
      await screenshot(page, 'servers-matrix-dark');
      await page.close();
      expect(browser.errors).toEqual([]);
    }, 90_000);
  },
);
