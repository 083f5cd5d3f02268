import { createSocket, type Socket } from 'node:dgram';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type ServeHandle } from '../../src/cli/serve';
import { RENDERER_DIR } from '../helpers/build';
import { skipUnlessIsolated } from '../helpers/isolation';
import { startLabService, type LabService } from '../helpers/lab-service';
import { backgroundColor, hasChromium, launchBrowser, screenshot, tabTo, type Browser } from './browser';

/** A UDP port that swallows STUN requests: a target that stays "running" until cancelled. */
function startSilentUdp(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve(socket));
  });
}

async function serve(labService: LabService): Promise<ServeHandle> {
  return startServe({ service: labService.service, host: '127.0.0.1', port: 0, rendererDir: RENDERER_DIR });
}

async function statusOf(page: Page, key: string): Promise<string | null> {
  return page.getByTestId(`status-${key}`).getAttribute('data-health');
}

describe.skipIf(!hasChromium || skipUnlessIsolated('the UI test'))(
  'the Overview in Chromium, served by rtc-triage serve',
  () => {
    const labs: LabService[] = [];
    const servers: ServeHandle[] = [];
    let silent: Socket | undefined;
    let browser: Browser;

    async function lab(options: Parameters<typeof startLabService>[0] = {}): Promise<ServeHandle> {
      const labService = await startLabService({ ...options, useSavedSettings: true });
      labs.push(labService);
      const server = await serve(labService);
      servers.push(server);
      return server;
    }

    beforeAll(async () => {
      browser = await launchBrowser();
    });

    afterAll(async () => {
      await browser?.close();
      for (const server of servers) await server.close();
      for (const labService of labs) await labService.close();
      silent?.close();
    });

    it('runs a diagnosis from the keyboard alone, shows live progress, then the verdict and status strip', async () => {
      const server = await lab();
      const page = await browser.open(server.address);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Overview');
      expect(await page.title()).toBe('Overview · RTC Triage');
      await page.getByText('No diagnosis yet').waitFor();
      expect(await statusOf(page, 'p2p')).toBe('untested');

      // Keyboard only: Tab through the page to the button, Enter.
      await tabTo(page, 'Run diagnosis');
      const sawProgress = page.getByRole('heading', { name: 'Progress' }).waitFor();
      await page.keyboard.press('Enter');
      await sawProgress;
      await page.locator('[data-testid="progress-row"]').first().waitFor();
      const card = page.getByTestId('verdict-card');
      await card.waitFor();
      expect(await card.getAttribute('data-kind')).toBe('healthy');
      expect(await page.getByTestId('verdict-kind').textContent()).toBe('healthy');
      // Focus moves to the answer so keyboard users land on it.
      expect(await page.locator(':focus').getAttribute('data-testid')).toBe('verdict-card');
      for (const key of ['p2p', 'signaling', 'network'])
        expect(await statusOf(page, key), key).toBe('online');

      const rows = await page.getByTestId('target-row').allTextContents();
      for (const target of labs[0]!.lab.config.targets) {
        expect(
          rows.some((row) => row.includes(target.url)),
          target.url,
        ).toBe(true);
      }
      expect(rows.every((row) => row.includes('up'))).toBe(true);

      const toggle = page.getByRole('button', { name: 'Show technical details' });
      await toggle.focus();
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: 'Hide technical details' }).waitFor();
      expect(await page.getByRole('columnheader', { name: 'Outcome' }).count()).toBe(1);

      await page.emulateMedia({ colorScheme: 'light' });
      const light = await backgroundColor(page);
      await screenshot(page, 'overview-light');
      await page.emulateMedia({ colorScheme: 'dark' });
      expect(await backgroundColor(page)).not.toBe(light);
      await screenshot(page, 'overview-dark');
      await page.emulateMedia({ colorScheme: 'light' });

      // A new page load shows the last report from history.
      await page.reload();
      await page.getByTestId('verdict-card').waitFor();
      expect(await page.getByTestId('verdict-card').textContent()).toContain('Last diagnosis');
      await page.close();
      expect(browser.errors).toEqual([]);
    });

    it('changes the verdict when a lab server stops: Try again names the dead GUN relay', async () => {
      const server = await lab();
      const labService = labs.at(-1)!;
      const page = await browser.open(server.address);
      await page.getByRole('button', { name: 'Run diagnosis' }).click();
      const card = page.getByTestId('verdict-card');
      await page.locator('[data-testid="verdict-card"][data-kind="healthy"]').waitFor();

      await labService.lab.gun.close();
      await page.getByRole('button', { name: 'Try again' }).click();
      await page.locator('[data-testid="verdict-card"]:not([data-kind="healthy"])').waitFor();
      const kind = await card.getAttribute('data-kind');
      expect(['infrastructure-outage', 'partial-outage']).toContain(kind);
      const text = (await card.textContent()) ?? '';
      expect(text).toContain('GUN');
      expect(text).toContain(labService.lab.gun.url);
      expect(text).toContain('not the app and not the user');
      expect(await statusOf(page, 'signaling')).toBe('degraded');
      expect(await statusOf(page, 'network')).toBe('online');
      const gunRow = page.getByTestId('target-row').filter({ hasText: labService.lab.gun.url });
      expect(await gunRow.textContent()).toContain('down');
      await screenshot(page, 'overview-gun-down');
      await page.close();
      expect(browser.errors).toEqual([]);
    });

    it('says "Not configured" for signaling when the run had no signaling server, not "unavailable"', async () => {
      const server = await lab({
        extend: (config) => ({
          ...config,
          targets: config.targets.filter((t) => t.kind === 'stun' || t.kind === 'turn'),
        }),
      });
      const page = await browser.open(server.address);
      await page.getByRole('button', { name: 'Run diagnosis' }).click();
      await page.getByTestId('verdict-card').waitFor();
      expect(await statusOf(page, 'signaling')).toBe('not-configured');
      expect(await page.getByTestId('status-signaling').textContent()).toContain('Not configured');
      expect(await page.getByTestId('status-signaling').textContent()).not.toContain('unavailable');
      expect(await statusOf(page, 'network')).toBe('online');
      await page.close();
      expect(browser.errors).toEqual([]);
    });

    it('lists attempts live while running, and Cancel stops the run', async () => {
      const silentSocket = await startSilentUdp();
      silent = silentSocket;
      const server = await lab({
        extend: (config) => ({
          ...config,
          targets: [
            ...config.targets,
            { kind: 'stun', id: 'silent', url: `stun:127.0.0.1:${silentSocket.address().port}` },
          ],
          timeouts: { stunMs: 60_000 },
          retry: { maxAttempts: 1 },
        }),
      });
      const page = await browser.open(server.address);
      await page.getByRole('button', { name: 'Run diagnosis' }).click();
      await page.getByRole('heading', { name: 'Progress' }).waitFor();
      // The lab targets finish while the silent one is still waiting for an answer.
      await page.locator('[data-testid="progress-row"].status-success').first().waitFor();
      // (two probes run against a STUN target: binding and NAT behaviour; either row will do)
      await page
        .locator('[data-testid="progress-row"].status-running', { hasText: 'stun:127.0.0.1' })
        .first()
        .waitFor();
      // The navigation marks the running diagnosis while the user looks elsewhere.
      expect(await page.getByRole('link', { name: /Overview.*diagnosis running/ }).count()).toBe(1);
      await screenshot(page, 'overview-running');

      const cancel = page.getByRole('button', { name: 'Cancel' });
      await expect(cancel.isEnabled()).resolves.toBe(true);
      await cancel.click();
      const card = page.getByTestId('verdict-card');
      await card.waitFor();
      expect(await card.getAttribute('data-kind')).toBe('inconclusive');
      expect(await page.getByRole('heading', { name: 'Progress' }).count()).toBe(0);
      await page.close();
      expect(browser.errors).toEqual([]);
    });
  },
);
