import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/core/store/history';
import { ATTEMPTS_PER_PAGE } from '../../src/renderer/src/components/paging';
import { attempt, record, type FixtureTarget } from '../analysis/history-fixture';
import { skipUnlessIsolated } from '../helpers/isolation';
import { SCREENSHOT_DIR, hasChromium, horizontalOverflow } from './browser';
import { startServedLab, type ServedLab } from './served-lab';

const MIN = 60_000;
const HOUR = 60 * MIN;
const LONG_URL =
  'https://a-very-long-signaling-relay-host-name.example-infrastructure.test/gun/with/a/long/path';
const LONG_ERROR =
  'the relay accepted the WebSocket but never relayed the message between the two clients within the answer timeout';
const SPARSE: FixtureTarget[] = [
  { id: 'one-point', kind: 'stun', url: 'stun:one-point.test:3478', layer: 'L2' },
  { id: 'two-points', kind: 'stun', url: 'stun:two-points.test:3478', layer: 'L2' },
];
const LONG: FixtureTarget = { id: 'long-url', kind: 'gun', url: LONG_URL, layer: 'L3' };

const SCREENS = [
  ['overview', 'Overview'],
  ['servers', 'Servers'],
  ['history', 'History'],
  ['attempts', 'Attempts'],
  ['partner', 'Partner test'],
  ['settings', 'Settings'],
  ['bundles', 'Bundles'],
] as const;

/** What each screen shows once its data is there (its chunk loaded and its calls answered). */
const READY: Record<(typeof SCREENS)[number][0], string> = {
  overview: '[data-testid="verdict-card"]',
  servers: '[data-testid="sparkline"]',
  history: '[data-testid="series"]',
  attempts: '[data-testid="attempt-row"]',
  partner: 'button:text("Show a code")',
  settings: 'button:text("Save settings")',
  bundles: 'button:text("Export bundle")',
};

/** "7 Dec 2026, 17:05 UTC": the one way a moment is written (the browser runs in en-GB, UTC). */
const ONE_FORMAT = /^\d{1,2} [A-Z][a-z]{2,3} \d{4}, \d{2}:\d{2} UTC$/;
const ISO_ON_SCREEN = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** The elements reaching past the window's right edge, for a failure's message. */
function widest(page: Page): Promise<string> {
  return page.evaluate<string>(`[...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .slice(0, 8).map((el) => el.tagName + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right))
    .join(', ')`);
}

describe.skipIf(!hasChromium || skipUnlessIsolated('the UI look test'))(
  'charts, times, tables, keyboard and every screen at two widths, in Chromium over a served lab',
  () => {
    let served: ServedLab;
    const now = Date.now();

    beforeAll(async () => {
      served = await startServedLab(async (lab) => {
        const store = HistoryStore.open(lab.dbPath, { retentionDays: 0 });
        try {
          // one server measured once, one twice (3 h apart): the sparse series the charts must still draw
          const stun = (id: string) => [
            { targetId: id, probe: 'stun-binding', metrics: { transport: 'udp', rttMs: 2.3 }, local: false },
          ];
          record(
            store,
            now - 5 * HOUR,
            now - 5 * HOUR + 1,
            HOUR,
            () => false,
            [SPARSE[0]!],
            stun('one-point'),
          );
          record(
            store,
            now - 9 * HOUR,
            now - 3 * HOUR,
            3 * HOUR,
            () => false,
            [SPARSE[1]!],
            stun('two-points'),
          );
          // a day of a relay with a long URL and a long error, every 10 minutes, failing every other round
          let round = 0;
          for (let at = now - 24 * HOUR; at < now - HOUR; at += 10 * MIN) {
            const runId = `long-${at}`;
            store.beginRun(runId, new Date(at), 'test', [LONG]);
            const failed = round++ % 2 === 1;
            const row = attempt(LONG.id, 'gun-signaling', at, !failed, {}, 'timeout');
            store.ingest([{ runId, attempt: failed ? { ...row, errorMessage: LONG_ERROR } : row }]);
          }
        } finally {
          store.close();
        }
        await lab.service.runDiagnosis({});
      });
    });

    afterAll(async () => {
      await served?.close();
    });

    async function openScreen(hash: string, title: string, page?: Page): Promise<Page> {
      const shown = page ?? (await served.browser.open(`${served.server.address}#/${hash}`));
      if (page) await page.goto(`${served.server.address}#/${hash}`);
      await shown.getByRole('heading', { level: 1, name: title }).waitFor();
      await shown
        .locator(READY[hash as keyof typeof READY])
        .first()
        .waitFor();
      await shown.waitForLoadState('networkidle');
      return shown;
    }

    it('History: a series of one and of two points draws visible marks and areas, each chart labelled', async () => {
      served.browser.errors.length = 0;
      const page = await openScreen('history', 'History');
      await page.getByTestId('heatmap').waitFor();
      for (const [id, count] of [
        ['one-point', 1],
        ['two-points', 2],
      ] as const) {
        const series = page.locator(`[data-testid="series"][data-target="${id}"]`);
        await series.waitFor();
        const rtt = series.getByTestId('rtt-chart');
        expect(await rtt.getByTestId('chart-mark').count(), id).toBe(count);
        expect(await rtt.getAttribute('role')).toBe('img');
        expect(await rtt.getAttribute('aria-label')).toContain(
          `${count} ${count === 1 ? 'measurement' : 'measurements'}`,
        );
        const success = series.getByTestId('success-chart');
        expect(await success.getAttribute('aria-label')).toContain('100% of attempts succeeded');
        expect(await success.getByTestId('chart-mark').count(), id).toBe(count);
        // visible: the marks and the stacked area take up real pixels
        for (const mark of await rtt.getByTestId('chart-mark').all()) {
          const box = await mark.boundingBox();
          expect(box && box.width >= 4 && box.height >= 4, `${id} RTT mark`).toBe(true);
        }
        const area = await success.getByTestId('area-success').boundingBox();
        expect(area && area.width > 2 && area.height > 10, `${id} success area`).toBe(true);
        expect(await success.getByTestId('area-failure').count()).toBe(1);
      }
      await page.close();
      expect(served.browser.errors).toEqual([]);
    });

    it('Servers: each server measured in the last 24 h has an RTT sparkline with its words', async () => {
      served.browser.errors.length = 0;
      const page = await openScreen('servers', 'Servers');
      const stunRow = page
        .getByTestId('server-row')
        .filter({ hasText: served.labService.lab.config.targets.find((t) => t.kind === 'stun')!.url });
      const sparkline = stunRow.getByTestId('sparkline');
      await sparkline.waitFor();
      expect(await sparkline.getAttribute('role')).toBe('img');
      expect(await sparkline.getAttribute('aria-label')).toMatch(
        /^Round-trip time of .* over the last 24 h: 1 measurement, /,
      );
      expect(await sparkline.getByTestId('chart-mark').count()).toBe(1);
      const box = await sparkline.getByTestId('chart-mark').boundingBox();
      expect(box && box.width >= 4).toBe(true);
      await page.close();
      expect(served.browser.errors).toEqual([]);
    });

    it('every screen writes times one way, in the local zone with its name, ISO only on hover', async () => {
      served.browser.errors.length = 0;
      const page = await openScreen('overview', 'Overview');
      let checked = 0;
      for (const [hash, title] of SCREENS) {
        await openScreen(hash, title, page);
        const text = await page.evaluate<string>('document.body.innerText');
        expect(ISO_ON_SCREEN.exec(text)?.[0] ?? null, hash).toBeNull();
        const times = await page
          .locator('time')
          .evaluateAll((nodes) =>
            nodes.map((n) => ({ text: n.textContent ?? '', title: n.getAttribute('title') ?? '' })),
          );
        for (const time of times) {
          expect(time.text, hash).toMatch(ONE_FORMAT);
          expect(Number.isNaN(Date.parse(time.title)), `${hash}: ${time.title}`).toBe(false);
          expect(time.title).toMatch(ISO_ON_SCREEN);
        }
        checked += times.length;
      }
      expect(checked).toBeGreaterThan(20);
      await page.close();
      expect(served.browser.errors).toEqual([]);
    });

    it('Attempts: at most two window heights, paged, filtered by server, outcome and probe', async () => {
      served.browser.errors.length = 0;
      const page = await openScreen('attempts', 'Attempts');
      const rows = page.getByTestId('attempt-row');
      await rows.first().waitFor();
      expect(await rows.count()).toBe(ATTEMPTS_PER_PAGE);
      const height = () => page.evaluate<number>('document.documentElement.scrollHeight');
      expect(await height()).toBeLessThanOrEqual(2 * 700);

      const range = page.getByTestId('pager-range');
      expect(await range.textContent()).toBe(`Attempts 1–${ATTEMPTS_PER_PAGE}`);
      const firstPage = await rows.allTextContents();
      await page.getByRole('button', { name: 'Older' }).click();
      await range.filter({ hasText: `Attempts ${ATTEMPTS_PER_PAGE + 1}–` }).waitFor();
      expect(await rows.allTextContents()).not.toEqual(firstPage);
      await page.getByRole('button', { name: 'Newer' }).click();
      await range.filter({ hasText: 'Attempts 1–' }).waitFor();
      expect(await page.getByRole('button', { name: 'Newer' }).isDisabled()).toBe(true);

      await page.getByLabel('Server').selectOption('long-url');
      await page.getByLabel('Outcome').selectOption('failed');
      // the old page stays on screen until the filtered one arrives: wait for the rows to be the
      // filtered ones (or time out and fail), never for "the network went quiet"
      const readRows = () =>
        rows.evaluateAll((nodes) =>
          nodes.map((n) => ({
            outcome: n.getAttribute('data-outcome'),
            text: n.textContent ?? '',
            probe: n.children[2]?.textContent ?? '',
          })),
        );
      await expect
        .poll(
          async () => {
            const shown = await readRows();
            return (
              shown.length > 0 && shown.every((r) => r.text.includes(LONG_URL) && r.outcome === 'timeout')
            );
          },
          { timeout: 15_000 },
        )
        .toBe(true);
      const filtered = await readRows();
      expect(filtered.length).toBeGreaterThan(0);
      for (const row of filtered) {
        expect(row.outcome).toBe('timeout');
        expect(row.text).toContain(LONG_URL);
      }
      await page.getByLabel('Server').selectOption('');
      await page.getByLabel('Outcome').selectOption('');
      await page.getByLabel('Probe').selectOption('stun-binding');
      await expect
        .poll(
          async () => {
            const shown = await readRows();
            return shown.length > 0 && shown.every((r) => r.probe.startsWith('stun-binding'));
          },
          { timeout: 15_000 },
        )
        .toBe(true);
      const probes = (await readRows()).map((r) => r.probe);
      expect(probes.length).toBeGreaterThan(0);
      expect(probes.every((p) => p.startsWith('stun-binding'))).toBe(true);
      expect(await height()).toBeLessThanOrEqual(2 * 700);
      await page.close();
      expect(served.browser.errors).toEqual([]);
    });

    it('Attempts: a row copies as JSON with a visible confirmation; URLs and messages never break mid-word', async () => {
      served.browser.errors.length = 0;
      await served.browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
        origin: served.server.address.replace(/\/$/, ''),
      });
      const page = await openScreen('attempts', 'Attempts');
      await page.getByLabel('Server').selectOption('long-url');
      await page.getByLabel('Outcome').selectOption('failed');
      const row = page.getByTestId('attempt-row').filter({ hasText: LONG_URL }).first();
      await row.waitFor();
      await row.getByRole('button', { name: /^Copy the gun-signaling attempt/ }).click();
      const notice = page.getByTestId('copy-notice');
      await notice.filter({ hasText: 'as JSON' }).waitFor();
      expect(await notice.isVisible()).toBe(true);
      expect(await notice.textContent()).toMatch(/^Copied the gun-signaling attempt on .* as JSON\.$/);
      const copied = JSON.parse(await page.evaluate<string>('navigator.clipboard.readText()')) as {
        targetId: string;
        targetUrl: string;
        startedAt: string;
        errorMessage: string;
      };
      expect(copied).toMatchObject({ targetId: 'long-url', targetUrl: LONG_URL, errorMessage: LONG_ERROR });
      expect(copied.startedAt).toBe(await row.locator('time').getAttribute('title'));

      // clipped, not wrapped: one line, an ellipsis, the whole text in the title
      const clipped = await page.evaluate<
        Array<{
          text: string;
          title: string;
          whiteSpace: string;
          textOverflow: string;
          lines: number;
          cut: boolean;
        }>
      >(`[...document.querySelectorAll('[data-testid="clipped"]')].map((n) => {
          const style = getComputedStyle(n);
          return {
            text: n.textContent ?? '',
            title: n.getAttribute('title') ?? '',
            whiteSpace: style.whiteSpace,
            textOverflow: style.textOverflow,
            lines: Math.round(n.getBoundingClientRect().height / parseFloat(style.lineHeight)),
            cut: n.scrollWidth > n.clientWidth,
          };
        })`);
      expect(clipped.length).toBeGreaterThan(ATTEMPTS_PER_PAGE);
      for (const cell of clipped) {
        expect(cell.whiteSpace, cell.text).toBe('nowrap');
        expect(cell.textOverflow).toBe('ellipsis');
        expect(cell.lines, cell.text).toBe(1);
        expect(cell.title).toBe(cell.text);
      }
      expect(clipped.some((c) => c.text === LONG_URL && c.cut)).toBe(true);
      expect(clipped.some((c) => c.text === LONG_ERROR && c.cut)).toBe(true);
      await page.close();
      expect(served.browser.errors).toEqual([]);
    });

    it('keyboard: Tab walks the navigation in order with a visible focus ring, Enter opens a screen and its controls follow', async () => {
      served.browser.errors.length = 0;
      const page = await openScreen('overview', 'Overview');
      const focused = () =>
        page.evaluate<{ text: string; tag: string; outline: string; width: number }>(`(() => {
          const el = document.activeElement;
          const style = getComputedStyle(el);
          return { text: (el.getAttribute('aria-label') || el.textContent || '').trim(), tag: el.tagName,
                   outline: style.outlineStyle, width: parseFloat(style.outlineWidth) };
        })()`);
      const order: string[] = [];
      for (let i = 0; i < SCREENS.length; i++) {
        await page.keyboard.press('Tab');
        const now = await focused();
        order.push(now.text);
        expect(now.tag).toBe('A');
        expect(now.outline, now.text).not.toBe('none');
        expect(now.width, now.text).toBeGreaterThanOrEqual(2);
      }
      expect(order).toEqual(SCREENS.map(([, title]) => title));

      // back to Attempts and open it with Enter: focus lands on its heading, then the filters and the rows
      for (let i = 0; i < SCREENS.length - 4; i++) await page.keyboard.press('Shift+Tab');
      expect((await focused()).text).toBe('Attempts');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Attempts' }).waitFor();
      await page.getByTestId('attempt-row').first().waitFor();
      expect((await focused()).text).toBe('Attempts');
      const controls: string[] = [];
      for (let i = 0; i < 5; i++) {
        await page.keyboard.press('Tab');
        const now = await focused();
        expect(now.outline, now.text).not.toBe('none');
        controls.push(now.tag);
      }
      expect(controls.slice(0, 4)).toEqual(['SELECT', 'SELECT', 'SELECT', 'SELECT']);
      expect((await focused()).text).toMatch(/^Copy the .* as JSON$/);
      await page.keyboard.press('Enter');
      await page
        .getByTestId('copy-notice')
        .filter({ hasText: /as JSON|Could not copy/ })
        .waitFor();
      await page.close();
      expect(served.browser.errors).toEqual([]);
    });

    it('every screen, light and dark, at 1024 and 1440 wide: no horizontal overflow, Attempts within two screens', async () => {
      served.browser.errors.length = 0;
      const dir = join(SCREENSHOT_DIR, 'look');
      mkdirSync(dir, { recursive: true });
      const page = await openScreen('overview', 'Overview');
      const heights: Record<string, number> = {};
      for (const width of [1024, 1440]) {
        await page.setViewportSize({ width, height: 800 });
        for (const scheme of ['light', 'dark'] as const) {
          await page.emulateMedia({ colorScheme: scheme });
          for (const [hash, title] of SCREENS) {
            await openScreen(hash, title, page);
            const name = `${hash}-${scheme}-${width}`;
            expect(await horizontalOverflow(page), `${name}: ${await widest(page)}`).toBe(0);
            heights[name] = await page.evaluate<number>('document.documentElement.scrollHeight');
            // Attempts pages within two screens; nothing else runs on past four
            expect(heights[name], name).toBeLessThanOrEqual((hash === 'attempts' ? 2 : 4) * 800);
            await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
          }
        }
      }
      console.log(`page heights: ${JSON.stringify(heights)}`);
      await page.close();
      expect(served.browser.errors).toEqual([]);
    });
  },
);
