import { createSocket, type Socket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type ServeHandle } from '../../src/cli/serve';
import { RENDERER_DIR } from '../helpers/build';
import { startLabService, type LabService } from '../helpers/lab-service';
import { skipUnlessIsolated } from '../helpers/isolation';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `\n!!! SKIPPING the UI end-to-end tests: ${CHROMIUM} is not installed (apt-get install chromium). !!!\n`,
  );
}

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Screenshots stay after the run so a person can look at them. */
const SCREENSHOT_DIR = process.env.RTC_TRIAGE_SCREENSHOT_DIR ?? join(tmpdir(), 'rtc-triage-ui-screenshots');

/** A UDP port that swallows STUN requests: a target that stays "running" until cancelled. */
function startSilentUdp(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve(socket));
  });
}

describe.skipIf(!hasChromium || skipUnlessIsolated('the UI test'))(
  'the UI in Chromium, served by rtc-triage serve',
  () => {
    let healthy: LabService | undefined;
    let stuck: LabService | undefined;
    let silent: Socket | undefined;
    let healthyServer: ServeHandle | undefined;
    let stuckServer: ServeHandle | undefined;
    let context: BrowserContext | undefined;
    let userDataDir: string | undefined;
    const pageErrors: string[] = [];

    beforeAll(async () => {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      healthy = await startLabService();
      healthyServer = await startServe({
        service: healthy.service,
        host: '127.0.0.1',
        port: 0,
        rendererDir: RENDERER_DIR,
      });

      const silentSocket = await startSilentUdp();
      silent = silentSocket;
      stuck = await startLabService({
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
      stuckServer = await startServe({
        service: stuck.service,
        host: '127.0.0.1',
        port: 0,
        rendererDir: RENDERER_DIR,
      });

      userDataDir = mkdtempSync(join(tmpdir(), 'rtc-triage-chromium-'));
      context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_ARGS,
        viewport: { width: 1024, height: 700 },
      });
    });

    afterAll(async () => {
      await context?.close();
      await healthyServer?.close();
      await stuckServer?.close();
      await healthy?.close();
      await stuck?.close();
      silent?.close();
      if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    });

    async function openPage(url: string): Promise<Page> {
      const page = await context!.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      page.on('console', (message) => {
        // A meta tag cannot carry frame-ancestors; the HTTP header does. Chromium says so, harmlessly.
        if (message.type() === 'error' && !message.text().includes('frame-ancestors'))
          pageErrors.push(message.text());
      });
      await page.goto(url);
      return page;
    }

    it('runs a diagnosis on the lab and shows a healthy verdict with the lab targets', async () => {
      const page = await openPage(healthyServer!.url);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('RTC Triage');
      await page.getByText('No diagnosis yet').waitFor();

      await page.getByRole('button', { name: 'Run diagnosis' }).click();
      const card = page.getByTestId('verdict-card');
      await card.waitFor();
      expect(await card.getAttribute('data-kind')).toBe('healthy');
      expect(await page.getByTestId('verdict-kind').textContent()).toBe('healthy');
      const title = await card.getByRole('heading', { level: 2 }).textContent();
      expect(title?.length).toBeGreaterThan(0);
      // Focus moves to the answer so keyboard users land on it.
      expect(await page.locator(':focus').getAttribute('data-testid')).toBe('verdict-card');

      const rows = await page.getByTestId('target-row').allTextContents();
      for (const target of healthy!.lab.config.targets) {
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
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'healthy-light.png'), fullPage: true });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'healthy-dark.png'), fullPage: true });
      // (A string: this file is type-checked without the DOM library.)
      const background = await page.evaluate<string>(
        'getComputedStyle(document.documentElement).backgroundColor',
      );
      expect(background).not.toBe('rgb(246, 247, 249)');
      await page.emulateMedia({ colorScheme: 'light' });

      // A new page load shows the last report from history.
      await page.reload();
      await page.getByTestId('verdict-card').waitFor();
      expect(await page.getByTestId('verdict-card').textContent()).toContain('Last diagnosis');
      await page.close();
      expect(pageErrors).toEqual([]);
    });

    it('lists attempts live while running, and Cancel stops the run', async () => {
      const page = await openPage(stuckServer!.url);
      await page.getByRole('button', { name: 'Run diagnosis' }).click();
      await page.getByRole('heading', { name: 'Progress' }).waitFor();
      // The lab targets finish while the silent one is still waiting for an answer.
      await page.locator('[data-testid="progress-row"].status-success').first().waitFor();
      // (two probes run against a STUN target: binding and NAT behaviour; either row will do)
      await page
        .locator('[data-testid="progress-row"].status-running', { hasText: 'stun:127.0.0.1' })
        .first()
        .waitFor();
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'running.png'), fullPage: true });

      const cancel = page.getByRole('button', { name: 'Cancel' });
      await expect(cancel.isEnabled()).resolves.toBe(true);
      await cancel.click();
      const card = page.getByTestId('verdict-card');
      await card.waitFor();
      expect(await card.getAttribute('data-kind')).toBe('inconclusive');
      expect(await page.getByRole('heading', { name: 'Progress' }).count()).toBe(0);
      await page.close();
      expect(pageErrors).toEqual([]);
    });
  },
);
