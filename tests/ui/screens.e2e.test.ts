import { bundleAnswer, openBundle } from '../../src/core/bundle';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServeHandle } from '../../src/cli/serve';
import { HistoryStore } from '../../src/core/store/history';
import { record } from '../analysis/history-fixture';
import { skipUnlessIsolated } from '../helpers/isolation';
import type { LabService } from '../helpers/lab-service';
import { startServedLab, type ServedLab } from './served-lab';
import { bundleFixture } from './bundle-file';
import { ATTEMPTS_PER_PAGE } from '../../src/renderer/src/components/paging';
import {
  backgroundColor,
  textWithIsoTimes,
  hasChromium,
  horizontalOverflow,
  screenshot,
  tabTo,
  type Browser,
} from './browser';

const MIN = 60_000;
const DAY = 86_400_000;
/** The seeded outage: every outside server fails from 00:00 to 09:00 UTC, every night. */
const inOutage = (at: number) => new Date(at).getUTCHours() < 9;

describe.skipIf(!hasChromium || skipUnlessIsolated('the UI screens test'))(
  'every screen in Chromium, over a lab and three days of history with a nightly outage',
  () => {
    let labService: LabService;
    let server: ServeHandle;
    let browser: Browser;
    let served: ServedLab | undefined;
    let seededUntil = 0;

    beforeAll(async () => {
      served = await startServedLab(async (started) => {
        labService = started;
        // Three days of monitoring rounds, one a minute (servers of another network, never contacted).
        const store = HistoryStore.open(labService.dbPath, { retentionDays: 0 });
        try {
          seededUntil = Date.now();
          record(store, seededUntil - 3 * DAY, seededUntil, MIN, (at, check) => !check.local && inOutage(at));
        } finally {
          store.close();
        }
        await labService.service.runDiagnosis({});
      });
      ({ labService, server, browser } = served);
    });

    afterAll(async () => {
      await served?.close();
    });

    async function openScreen(hash: string, title: string): Promise<Page> {
      browser.errors.length = 0;
      const page = await browser.open(`${server.address}#/${hash}`);
      await page.getByRole('heading', { level: 1, name: title }).waitFor();
      return page;
    }

    it('Servers: lists every server with its health; the editor validates as you type and saves', async () => {
      const page = await openScreen('servers', 'Servers');
      const rows = page.getByTestId('server-row');
      await rows.first().waitFor();
      const texts = await rows.allTextContents();
      for (const target of labService.lab.config.targets) {
        expect(
          texts.some((row) => row.includes(target.url)),
          target.url,
        ).toBe(true);
      }
      expect(await page.locator('[data-testid="server-row"][data-status="up"]').count()).toBe(4);
      expect(texts.every((row) => row.includes('0%'))).toBe(true);

      await page.getByRole('button', { name: 'Add server' }).click();
      const editor = page.getByRole('form', { name: 'Add a server' });
      const url = editor.getByLabel('URL');
      await url.fill('stun:bad host');
      const urlError = editor.getByTestId('error-url');
      expect(await urlError.textContent()).toContain('is not a STUN/TURN URL');
      expect(await url.getAttribute('aria-invalid')).toBe('true');
      await url.fill('stun:127.0.0.1:3478');
      expect(await urlError.count()).toBe(0);

      await editor.getByLabel('Kind').selectOption('turn');
      expect(await urlError.textContent()).toContain('expected a turn/turns: URL, got stun:');
      await url.fill('turn:127.0.0.1:3478?transport=udp');
      expect(await urlError.count()).toBe(0);
      await editor.getByLabel('Id (optional)').fill('lab-gun');
      expect(await editor.getByTestId('error-id').textContent()).toContain(
        'already the id of another server',
      );
      await editor.getByLabel('Id (optional)').fill('extra-turn');
      await editor.getByLabel('Username').fill('user');
      await editor.getByRole('button', { name: 'Save server' }).click();
      // WebRTC refuses a TURN server without a credential, so the editor does too
      expect(await editor.getByTestId('error-credential').textContent()).toContain(
        'a TURN server needs a credential',
      );
      expect(labService.service.listTargets().map((t) => t.id)).not.toContain('extra-turn');
      await editor.getByLabel('Credential').fill('secret');
      expect(await editor.getByTestId('error-credential').count()).toBe(0);
      await screenshot(page, 'servers-editor');
      await editor.getByRole('button', { name: 'Save server' }).click();

      await page.getByText('Added turn:127.0.0.1:3478?transport=udp.').waitFor();
      const added = rows.filter({ hasText: 'turn:127.0.0.1:3478?transport=udp' });
      await added.waitFor();
      expect(await added.getAttribute('data-status')).toBe('untested');
      expect(labService.service.listTargets().map((t) => t.id)).toContain('extra-turn');
      expect(await page.getByText('tests the list below, as edited here').count()).toBe(1);

      await page.getByRole('button', { name: 'Remove turn:127.0.0.1:3478?transport=udp' }).click();
      await page.getByText('Removed turn:127.0.0.1:3478?transport=udp.').waitFor();
      await page.getByRole('button', { name: "Use the config file's list" }).click();
      await page.getByText("Back to the config file's server list.").waitFor();
      expect(labService.service.listTargets()).toEqual(labService.lab.config.targets);
      await screenshot(page, 'servers');
      await page.close();
      expect(browser.errors).toEqual([]);
    });

    it('History: the heatmap shows the night-time outage as a band; the recurring window is listed with its dates', async () => {
      const page = await openScreen('history', 'History');
      await page.getByTestId('heatmap').waitFor();
      await page.getByTestId('pattern').first().waitFor();

      const cells = await page.getByTestId('heatmap-cell').evaluateAll((nodes) =>
        nodes.map((n) => ({
          date: n.getAttribute('data-date') ?? '',
          hour: Number(n.getAttribute('data-hour')),
          rate: n.getAttribute('data-rate') ?? '',
        })),
      );
      // Whole days before the seed ended: every night hour failed (6 of 7 checks), every day hour passed.
      const lastFullDay = new Date(seededUntil - DAY).toISOString().slice(0, 10);
      const firstFullDay = new Date(seededUntil - 2 * DAY).toISOString().slice(0, 10);
      const full = cells.filter((c) => c.date >= firstFullDay && c.date <= lastFullDay);
      expect(full).toHaveLength(48);
      for (const cell of full) {
        const rate = Number(cell.rate);
        if (cell.hour < 9) expect(rate, `${cell.date} ${cell.hour}`).toBeGreaterThan(0.8);
        else expect(rate, `${cell.date} ${cell.hour}`).toBe(0);
      }

      const recurring = page.locator('[data-testid="pattern"][data-kind="recurring-window"]');
      expect(await recurring.count()).toBe(1);
      const text = (await recurring.textContent()) ?? '';
      expect(text).toContain('00:00–09:00 (UTC)');
      expect(text).toContain(lastFullDay);
      // The most telling pattern comes first.
      expect(await page.getByTestId('pattern').first().getAttribute('data-kind')).toBe('recurring-window');
      expect(await page.getByTestId('series').count()).toBeGreaterThanOrEqual(9);
      expect(await page.locator('[data-testid="series"][data-target="lab-gun"]').count()).toBe(1);
      await screenshot(page, 'history');
      await page.close();
      expect(browser.errors).toEqual([]);
    });

    it('Attempts: filters the log and opens an attempt as its lifecycle timeline', async () => {
      const page = await openScreen('attempts', 'Attempts');
      await page.getByTestId('attempt-row').first().waitFor();
      await page.getByLabel('Probe').selectOption('signaled-session');
      await page.getByLabel('Server').selectOption('lab-gun');
      const row = page.getByTestId('attempt-row').filter({ hasText: 'signaled-session' }).first();
      await row.waitFor();
      await row.getByRole('button', { name: /^Timeline of signaled-session/ }).click();

      const timeline = page.getByTestId('timeline');
      await timeline.getByTestId('timeline-event').first().waitFor();
      const correlationId = (await timeline.getByTestId('correlation-id').textContent()) ?? '';
      const stored = labService.service
        .listAttempts({ probe: 'signaled-session', targetId: 'lab-gun' })
        .attempts.map((a) => a.correlationId);
      expect(stored).toContain(correlationId);
      const names = await timeline
        .getByTestId('timeline-event')
        .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-name')));
      const order = [
        'signal.offer.sent',
        'signal.answer.received',
        'peer.connected',
        'signal.teardown.success',
      ];
      const positions = order.map((name) => names.indexOf(name));
      expect(positions.every((p) => p >= 0)).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      expect(await timeline.getByRole('list', { name: 'Lifecycle' }).textContent()).not.toContain('✗');
      // Focus moved to the timeline's heading for keyboard users.
      expect(await page.locator(':focus').textContent()).toBe('Attempt timeline');
      // one layer per attempt: the row and its timeline name the same one
      const probeCell = row.getByTestId('attempt-probe');
      const layer = await probeCell.getAttribute('data-layer');
      expect(layer).toMatch(/^L\d$/);
      const label = (await timeline.getByTestId('timeline-layer').textContent()) ?? '';
      expect(label.startsWith(`${layer} · `)).toBe(true);
      expect(await probeCell.getAttribute('title')).toBe(`signaled-session · ${label}`);
      // and the run's report (Overview, bundles) carries the layer the history stored for each attempt
      const report = labService.service.lastReport();
      const storedLayers = new Map(
        labService.service.listAttempts({ limit: 500 }).attempts.map((a) => [a.id, a.layer]),
      );
      const inReport = report?.attempts.filter((a) => storedLayers.has(a.id)) ?? [];
      expect(inReport.length).toBeGreaterThan(0);
      for (const attempt of inReport) expect(attempt.layer, attempt.id).toBe(storedLayers.get(attempt.id));
      await screenshot(page, 'attempts');

      await page.getByRole('button', { name: 'Close timeline' }).click();
      await page.getByLabel('Probe').selectOption('');
      await page.getByLabel('Server').selectOption('');
      await page.getByLabel('Window').selectOption(String(7 * DAY));
      await page.getByLabel('Outcome').selectOption('failed');
      await page.locator('[data-testid="attempt-row"][data-outcome="timeout"]').first().waitFor();
      const outcomes = await page
        .getByTestId('attempt-row')
        .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-outcome')));
      expect(outcomes.length).toBe(ATTEMPTS_PER_PAGE);
      expect(outcomes.every((o) => o === 'timeout' || o === 'error')).toBe(true);
      await page.getByRole('button', { name: 'Older' }).click();
      await page.getByTestId('pager-range').filter({ hasText: 'Attempts 21–40' }).waitFor();
      const older = await page
        .getByTestId('attempt-row')
        .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-outcome')));
      expect(older.length).toBe(ATTEMPTS_PER_PAGE);
      expect(older.every((o) => o === 'timeout' || o === 'error')).toBe(true);
      await page.close();
      expect(browser.errors).toEqual([]);
    });

    it('Settings: a value out of range is named; a saved value persists and the engine reads it', async () => {
      const page = await openScreen('settings', 'Settings');
      const stun = page.getByLabel('STUN answer');
      await stun.fill('0');
      const error = page.locator('.field-error').first();
      expect(await error.textContent()).toMatch(/>=\s?1/);
      expect(await stun.getAttribute('aria-invalid')).toBe('true');
      await stun.fill('2500');
      expect(await stun.getAttribute('aria-invalid')).toBeNull();
      await page.getByLabel('Keep history for (days, 0 = forever)').fill('45');
      await page.getByLabel('Run a diagnosis on a schedule (monitor)').check();
      await page.getByLabel('Every (seconds)').fill('120');
      await page.getByRole('button', { name: 'Save settings' }).click();
      await page.getByText('Settings saved.').waitFor();
      expect(labService.service.getSettings()).toMatchObject({
        timeouts: { stunMs: 2500 },
        retentionDays: 45,
        schedule: { enabled: true, everyMs: 120_000 },
      });
      await page.reload();
      await page.getByLabel('STUN answer').waitFor();
      expect(await page.getByLabel('STUN answer').inputValue()).toBe('2500');
      expect(await page.getByLabel('Run a diagnosis on a schedule (monitor)').isChecked()).toBe(true);
      await screenshot(page, 'settings');
      // The saved schedule started a real monitor: switch it off again, or its first (jittered)
      // cycle adds attempts to the history while the next tests count them.
      expect(labService.service.monitorStatus()).toMatchObject({ enabled: true, everyMs: 120_000 });
      await page.getByLabel('Run a diagnosis on a schedule (monitor)').uncheck();
      await page.getByRole('button', { name: 'Save settings' }).click();
      await page.getByText('Settings saved.').waitFor();
      expect(labService.service.monitorStatus().enabled).toBe(false);
      await page.close();
      expect(browser.errors).toEqual([]);
    });

    it('Bundles: exports a download, then opens it read-only without adding it to the history', async () => {
      const page = await openScreen('bundles', 'Bundles');
      const attemptsBefore = labService.service.history({ sinceMs: 400 * DAY }).attempts;
      const downloading = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Export bundle' }).click();
      const download = await downloading;
      expect(download.suggestedFilename()).toMatch(/^rtc-triage-.*Z\.zip$/);
      const file = join(labService.dbPath, '..', download.suggestedFilename());
      await download.saveAs(file);
      expect(await page.getByTestId('export-result').textContent()).toContain('redacted');

      await page.getByLabel('Bundle file (.zip)').setInputFiles(file);
      const view = page.getByTestId('bundle-view');
      await view.waitFor();
      expect(await view.textContent()).toContain(`Viewing bundle ${download.suggestedFilename()}`);
      await page.getByTestId('bundle-verdict').first().waitFor();
      // one verdict, the one `inspect` prints for the same file
      expect(await page.getByTestId('bundle-verdict').count()).toBe(1);
      const answer = bundleAnswer((await openBundle(file)).verdict);
      expect(await page.getByTestId('bundle-verdict').getAttribute('data-kind')).toBe(answer?.verdict.kind);
      expect(await textWithIsoTimes(page.getByTestId('bundle-verdict'))).toContain(
        answer?.verdict.title ?? '?',
      );
      const targets = await page.getByTestId('bundle-target').allTextContents();
      expect(targets.some((t) => t.includes(labService.lab.gun.url))).toBe(true);
      expect(labService.service.history({ sinceMs: 400 * DAY }).attempts).toBe(attemptsBefore);
      await screenshot(page, 'bundle-view');

      await page.getByRole('button', { name: 'Close bundle' }).click();
      const junk = join(labService.dbPath, '..', 'not-a-bundle.zip');
      writeFileSync(junk, bundleFixture.notAZip);
      await page.getByLabel('Bundle file (.zip)').setInputFiles(junk);
      expect(await page.getByRole('alert').textContent()).toContain('is not a valid RTC Triage bundle');
      await screenshot(page, 'bundles');
      await page.close();
      // Chromium logs the refused upload's HTTP 400 itself; nothing else may have gone wrong.
      expect(browser.errors.filter((e) => !e.includes('status of 400'))).toEqual([]);
    });

    it('every screen fits 1024×700 in light and dark, and the keyboard reaches the navigation', async () => {
      const page = await openScreen('overview', 'Overview');
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        for (const [hash, title] of [
          ['overview', 'Overview'],
          ['servers', 'Servers'],
          ['history', 'History'],
          ['attempts', 'Attempts'],
          ['partner', 'Partner test'],
          ['settings', 'Settings'],
          ['bundles', 'Bundles'],
        ] as const) {
          await page.goto(`${server.address}#/${hash}`);
          await page.getByRole('heading', { level: 1, name: title }).waitFor();
          await page.waitForLoadState('networkidle');
          expect(await horizontalOverflow(page), `${hash} (${scheme})`).toBe(0);
          await screenshot(page, `${hash}-${scheme}`);
        }
        const background = await backgroundColor(page);
        expect(background).toBe(scheme === 'dark' ? 'rgb(15, 19, 24)' : 'rgb(246, 247, 249)');
      }
      await page.emulateMedia({ colorScheme: 'light' });

      // Keyboard: Tab to a navigation link, Enter; focus lands on the new screen's heading.
      await page.goto(`${server.address}#/overview`);
      await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
      await tabTo(page, 'History');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'History' }).waitFor();
      expect(await page.locator(':focus').textContent()).toBe('History');
      expect(await page.getByRole('link', { name: 'History' }).getAttribute('aria-current')).toBe('page');
      await page.close();
      expect(browser.errors).toEqual([]);
    });
  },
);
