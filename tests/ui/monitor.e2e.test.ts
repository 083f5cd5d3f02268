/**
 * The Overview's monitor switch in Chromium against `serve` over the embedded lab: the switch and the
 * Settings screen's schedule are one saved setting, whichever screen changes it. Periods are long
 * (15 minutes) so that at most the first, jittered cycle can fire while the test runs.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServeHandle } from '../../src/cli/serve';
import { skipUnlessIsolated } from '../helpers/isolation';
import type { LabService } from '../helpers/lab-service';
import { startServedLab, type ServedLab } from './served-lab';
import { hasChromium, horizontalOverflow, screenshot, type Browser } from './browser';

const PERIOD_MS = 15 * 60_000;

describe.skipIf(!hasChromium || skipUnlessIsolated('the monitor switch UI test'))(
  'the monitor switch in Chromium, one setting with the Settings schedule',
  () => {
    let labService: LabService;
    let server: ServeHandle;
    let browser: Browser;
    let served: ServedLab | undefined;

    beforeAll(async () => {
      served = await startServedLab();
      ({ labService, server, browser } = served);
    });

    afterAll(async () => {
      await labService?.service.setMonitor({ enabled: false });
      await served?.close();
    });

    async function go(page: Page, hash: string, title: string): Promise<void> {
      await page.goto(`${server.address}#/${hash}`);
      await page.getByRole('heading', { level: 1, name: title }).waitFor();
    }

    it('switched on in the Overview shows in Settings; switched off in Settings shows in the Overview', async () => {
      const page = await browser.open(`${server.address}#/settings`);
      await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
      const scheduled = page.getByLabel('Run a diagnosis on a schedule (monitor)');
      await scheduled.waitFor();
      // A period chosen in Settings, with the schedule off: the switch must offer this one.
      expect(await scheduled.isChecked()).toBe(false);
      await page.getByLabel('Every (seconds)').fill(String(PERIOD_MS / 1000));
      await page.getByRole('button', { name: 'Save settings' }).click();
      await page.getByText('Settings saved.').waitFor();
      expect(labService.service.monitorStatus().enabled).toBe(false);

      await go(page, 'overview', 'Overview');
      const monitor = page.getByRole('region', { name: 'Monitor' });
      const toggle = monitor.getByRole('switch', { name: 'Monitor: run a diagnosis every' });
      const state = monitor.locator('.monitor-state');
      await state.getByText(/^Off\./).waitFor();
      expect(await toggle.isChecked()).toBe(false);
      expect(await toggle.getAttribute('aria-checked')).toBe('false');
      const period = monitor.getByLabel('Monitor period');
      await page.waitForFunction(
        `document.querySelector('[aria-label="Monitor period"]')?.value === '${PERIOD_MS}'`,
      );
      expect(await period.locator('option:checked').textContent()).toBe('15 minutes');

      await toggle.click();
      await state.getByText(/^On: \d+ diagnos(is|es) so far/).waitFor();
      expect(await toggle.isChecked()).toBe(true);
      expect(await toggle.getAttribute('aria-checked')).toBe('true');
      expect(labService.service.monitorStatus()).toMatchObject({ enabled: true, everyMs: PERIOD_MS });
      expect(labService.service.getSettings().schedule).toEqual({ enabled: true, everyMs: PERIOD_MS });
      expect(await horizontalOverflow(page)).toBe(0);
      await screenshot(page, 'monitor-on');

      // The same setting, seen from Settings.
      await go(page, 'settings', 'Settings');
      await scheduled.waitFor();
      expect(await scheduled.isChecked()).toBe(true);
      expect(await page.getByLabel('Every (seconds)').inputValue()).toBe(String(PERIOD_MS / 1000));

      // Switched off from Settings: the Overview says so.
      await scheduled.uncheck();
      await page.getByRole('button', { name: 'Save settings' }).click();
      await page.getByText('Settings saved.').waitFor();
      expect(labService.service.monitorStatus().enabled).toBe(false);
      await go(page, 'overview', 'Overview');
      await state.getByText(/^Off\./).waitFor();
      expect(await toggle.isChecked()).toBe(false);
      await screenshot(page, 'monitor-off');

      // A reload reads the saved setting again (nothing was only in the page's memory).
      await page.reload();
      await state.getByText(/^Off\./).waitFor();
      expect(labService.service.getSettings().schedule).toEqual({ enabled: false, everyMs: PERIOD_MS });
      await page.close();
      expect(browser.errors).toEqual([]);
    }, 120_000);
  },
);
