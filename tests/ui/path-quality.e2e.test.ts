import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualityThresholdsText } from '../../src/contract';
import { skipUnlessIsolated } from '../helpers/isolation';
import { backgroundColor, hasChromium, screenshot } from './browser';
import { startServedLab, type ServedLab } from './served-lab';

/** Runs in the page (this file is type-checked without the DOM library, hence the cast). */
function badgeColor(element: unknown): string {
  const view = globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } };
  return view.getComputedStyle(element).backgroundColor;
}

describe.skipIf(!hasChromium || skipUnlessIsolated('the connection quality UI test'))(
  'connection quality per path on the Overview, in Chromium',
  () => {
    let served: ServedLab;

    beforeAll(async () => {
      served = await startServedLab();
    });

    afterAll(async () => {
      await served?.close();
    });

    it('shows each connected path with its figures, a grade badge and the thresholds used', async () => {
      const { browser, server } = served;
      const page = await browser.open(server.address);
      await page.getByText('No diagnosis yet').waitFor();
      // no run yet: nothing to grade, no empty table
      expect(await page.getByTestId('path-quality').count()).toBe(0);

      await page.getByRole('button', { name: 'Run diagnosis' }).click();
      await page.getByTestId('verdict-card').waitFor();
      const section = page.getByTestId('path-quality');
      await section.waitFor();
      expect(await section.getByRole('heading', { name: 'Connection quality' }).count()).toBe(1);

      // the lab's run has the L0 session of this machine over host candidates
      const host = section.locator('[data-testid="quality-row"][data-path="host"]');
      expect(await host.count()).toBe(1);
      const cells = await host.locator('td').allTextContents();
      expect(cells[0]).toBe('Host (local)');
      expect(cells[1]).toBe('this machine');
      // RTT p50, RTT p95 and jitter in ms, loss in %, throughput in kbit/s or Mbit/s
      for (const cell of cells.slice(2, 5)) expect(cell).toMatch(/^\d+(\.\d)? ms$/);
      expect(cells[5]).toMatch(/^\d+(\.\d+)? %$/);
      expect(cells[6]).toMatch(/^\d+ (k|M)bit\/s$/);

      const grade = await host.getAttribute('data-grade');
      expect(['good', 'fair', 'poor', 'bad']).toContain(grade);
      const badge = host.locator('.grade');
      expect(await badge.textContent()).toBe(grade);
      // the badge's tooltip says why
      expect(await badge.getAttribute('title')).toMatch(new RegExp(`^${grade}: `));

      // the thresholds, as printed by the CLI, are the table's caption
      const caption = await section.getByTestId('quality-thresholds').textContent();
      expect(caption).toBe(qualityThresholdsText());
      for (const bound of ['<100 / <250 / <400 ms', '<5 / <10 / <30 ms', '<1 / <3 / <8 %'])
        expect(caption).toContain(bound);

      await page.emulateMedia({ colorScheme: 'light' });
      const light = await backgroundColor(page);
      const lightBadge = await badge.evaluate(badgeColor);
      await section.scrollIntoViewIfNeeded();
      await screenshot(page, 'path-quality-light');
      await page.emulateMedia({ colorScheme: 'dark' });
      expect(await backgroundColor(page)).not.toBe(light);
      // the badge follows the theme too (its colours are the theme's)
      expect(await badge.evaluate(badgeColor)).not.toBe(lightBadge);
      await screenshot(page, 'path-quality-dark');
      await page.emulateMedia({ colorScheme: 'light' });

      // the last report from history shows the same rows after a reload
      await page.reload();
      await page.getByTestId('verdict-card').waitFor();
      expect(await page.locator('[data-testid="quality-row"][data-path="host"]').count()).toBe(1);
      await page.close();
      expect(browser.errors).toEqual([]);
    });
  },
);
