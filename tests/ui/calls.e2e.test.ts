import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CALL_DUMP_CHARS } from '../../src/contract';
import { startServe, type ServeHandle } from '../../src/cli/serve';
import { RENDERER_DIR } from '../helpers/build';
import { hasCoturn, startCoturn, type Coturn } from '../helpers/coturn';
import { skipUnlessIsolated } from '../helpers/isolation';
import { startLabService, type LabService } from '../helpers/lab-service';
import { downloadDump, openInternals, runCall } from '../calls/chromium-call';
import {
  backgroundColor,
  hasChromium,
  horizontalOverflow,
  launchBrowser,
  screenshot,
  type Browser,
} from './browser';

// Issue 22, the screen: a call Chromium itself made through real coturn with the wrong TURN password,
// its webrtc-internals dump imported through the Calls screen of a real `serve`, its observations
// shown, and Reproduce run against the same coturn with the saved (right) credentials: the call
// beside the tests and the engine's verdict line. Bad files show the plain error and lose nothing.

describe.skipIf(!hasChromium || !hasCoturn || skipUnlessIsolated('the Calls screen UI test'))(
  'the Calls screen, in Chromium',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-calls-ui-'));
    let turn: Coturn;
    let labService: LabService;
    let server: ServeHandle;
    let browser: Browser;
    let dump: string;
    const turnUrl = () => `turn:127.0.0.1:${turn.port}?transport=udp`;
    /** The Calls screen, after the address with the token (which the page swaps for a cookie). */
    async function openCalls() {
      const page = await browser.open(server.address);
      await page.goto(`${server.address.replace(/\?.*$/, '')}#/calls`);
      return page;
    }

    beforeAll(async () => {
      turn = await startCoturn();
      // the test network is loopback only, which Chromium's WebRTC skips unless told otherwise
      browser = await launchBrowser({ args: ['--allow-loopback-in-peer-connection'] });
      const internals = await openInternals(browser);
      try {
        const outcome = await runCall(
          browser,
          [{ urls: turnUrl(), username: turn.user, credential: 'not-the-password' }],
          30_000,
        );
        expect(outcome.errorCodes).toContain(401);
        dump = await downloadDump(internals, dir, 'wrong-password.json.gz');
      } finally {
        for (const page of browser.context.pages()) await page.close();
      }
      // the app's own saved server lends the right credentials to the reproduction
      labService = await startLabService({
        useSavedSettings: true,
        extend: (config) => ({
          ...config,
          timeouts: { stunMs: 1000, iceGatheringMs: 2000, connectMs: 3000 },
          retry: { maxAttempts: 1 },
          targets: [
            ...config.targets,
            { kind: 'turn', url: turnUrl(), username: turn.user, credential: turn.password },
          ],
        }),
      });
      server = await startServe({
        service: labService.service,
        host: '127.0.0.1',
        port: 0,
        rendererDir: RENDERER_DIR,
      });
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await labService?.close();
      await turn?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('imports the dump, shows the observations, and Reproduce puts the call beside the tests', async () => {
      const page = await openCalls();
      await page.getByRole('heading', { name: 'Import a call' }).waitFor();
      await page.getByText('No call imported yet.').waitFor();
      await page.getByLabel('Dump file').setInputFiles(dump);

      const view = page.getByTestId('call-view');
      await view.waitFor({ timeout: 30_000 });
      expect(await view.getAttribute('data-outcome')).toBe('never-connected');
      const observations = page.getByTestId('call-observations');
      expect(await observations.locator('[data-kind="no-relay-candidate"]').count()).toBeGreaterThan(0);
      expect(
        await observations.locator('[data-kind="server-errors"][data-code="401"]').first().textContent(),
      ).toMatch(/refused the credentials \(401 Unauthorized\)/);
      // one item per finding: the dump's two connections both saw the 401, said once naming both
      const summaries = await observations.locator(':scope > li > strong').allTextContents();
      expect(summaries.length).toBeGreaterThan(0);
      expect(new Set(summaries).size).toBe(summaries.length);
      const refused = observations.locator(':scope > li[data-kind="server-errors"][data-code="401"]');
      expect(await refused.count()).toBe(1);
      expect(await refused.getAttribute('data-connections')).toBe('2');
      expect(await refused.locator('.sub').first().textContent()).toMatch(/^connections \S+ and \S+$/);
      // credentials are asked once per TURN server, each input named with the server it is for
      await page.locator('.call-credentials > summary').click();
      const server = `127.0.0.1:${turn.port}`;
      expect(await page.getByLabel(`Username for ${server}`).count()).toBe(1);
      expect(await page.getByLabel(`Credential for ${server}`).count()).toBe(1);
      expect(await page.locator('.call-credentials fieldset').count()).toBe(1);
      // per connection: the ICE server (no credentials), its 401s, the state timeline
      const pc = page.getByTestId('call-pc').first();
      expect(await pc.getByTestId('call-ice-servers').textContent()).toContain(turnUrl());
      expect(await pc.locator('[data-testid="call-errors"] tr[data-code="401"]').count()).toBe(1);
      expect(await pc.getByTestId('call-timeline').locator('li').count()).toBeGreaterThan(0);
      expect(await page.content()).not.toContain(turn.password);

      await page.getByRole('button', { name: 'Reproduce' }).click();
      const line = page.getByTestId('call-verdict-line');
      await line.waitFor({ timeout: 90_000 });
      // the engine's sentence (core/calls/explain.ts), not one the screen made up
      expect(await line.textContent()).toMatch(
        /^The call failed because the TURN server refused the app's credentials \(401\); with the credentials given here it allocates/,
      );
      expect(await page.getByTestId('call-reproduction').getAttribute('data-layer')).toBe('credentials');
      const row = page.getByTestId('side-by-side').locator('tbody tr').first();
      expect(await row.locator('th').textContent()).toBe(turnUrl());
      expect(await row.getAttribute('data-agree')).toBe('false');
      expect(await row.locator('td').nth(0).textContent()).toMatch(/error 401/);
      expect(await row.locator('td').nth(1).textContent()).toMatch(/^up/);
      expect(await page.getByTestId('verdict-card').count()).toBe(1);
      expect(await page.getByTestId('transport-matrix').count()).toBe(1);

      expect(await horizontalOverflow(page)).toBe(0);
      await page.emulateMedia({ colorScheme: 'light' });
      const light = await backgroundColor(page);
      await screenshot(page, 'calls-light');
      await page.emulateMedia({ colorScheme: 'dark' });
      expect(await backgroundColor(page)).not.toBe(light);
      await screenshot(page, 'calls-dark');

      // the list keeps it, reproduced
      await page.getByRole('button', { name: 'All calls' }).click();
      const list = page.getByTestId('call-list');
      await list.waitFor();
      expect(await list.locator('tbody tr').count()).toBe(1);
      const stored = list.locator('tbody tr').first();
      expect(await stored.locator('th').textContent()).toMatch(/^wrong-password\.json\.gz/);
      expect(await stored.getAttribute('data-outcome')).toBe('never-connected');
      expect(await stored.locator('td').last().textContent()).toBe('yes');
      await page.close();
      expect(browser.errors).toEqual([]);
    }, 150_000);

    it('a file that is no dump, and one over the limit: the plain error, and the stored calls intact', async () => {
      const before = labService.service.listCalls();
      const page = await openCalls();
      await page.getByRole('heading', { name: 'Imported calls' }).waitFor();

      const notJson = join(dir, 'notes.txt');
      writeFileSync(notJson, 'The user says the call dropped at 10:42.\n');
      await page.getByLabel('Dump file').setInputFiles(notJson);
      const error = page.getByTestId('call-import-error');
      await error.waitFor();
      expect(await error.textContent()).toMatch(
        /notes\.txt is not a call dump RTC Triage can import: neither a chrome:\/\/webrtc-internals dump \(a JSON object\) nor an rtcstats dump/,
      );

      const cut = join(dir, 'cut.json');
      writeFileSync(cut, '{"PeerConnections": {"1-1": {"rtcConfiguration": "{}", ');
      await page.getByLabel('Dump file').setInputFiles(cut);
      await page
        .getByText(/cut\.json is not a call dump RTC Triage can import: \(root\): not valid JSON/)
        .waitFor();

      const huge = join(dir, 'huge.json');
      writeFileSync(huge, '');
      truncateSync(huge, MAX_CALL_DUMP_CHARS + 1);
      await page.getByLabel('Dump file').setInputFiles(huge);
      await page
        .getByText(
          `huge.json is not a call dump RTC Triage can import: it is ${MAX_CALL_DUMP_CHARS + 1} bytes`,
        )
        .waitFor();

      expect(labService.service.listCalls()).toEqual(before);
      expect(await page.getByTestId('call-list').locator('tbody tr').count()).toBe(before.length);
      await page.close();
      // the refused imports are 400 answers, which Chromium logs; nothing else may fail
      expect(browser.errors.filter((e) => !e.includes('status of 400'))).toEqual([]);
    }, 60_000);

    it('a dump dropped on the import card is imported like a picked one', async () => {
      const before = labService.service.listCalls().length;
      const page = await openCalls();
      await page.getByRole('heading', { name: 'Imported calls' }).waitFor();
      // the same Chromium-written dump, as the file a drag from the desktop carries
      const bytes = JSON.stringify([...readFileSync(dump)]);
      const transfer = await page.evaluateHandle(
        `(() => { const t = new DataTransfer(); t.items.add(new File([new Uint8Array(${bytes})], 'dropped.json.gz')); return t; })()`,
      );
      await page.getByTestId('call-import').dispatchEvent('drop', { dataTransfer: transfer });
      await page.getByTestId('call-view').waitFor({ timeout: 30_000 });
      expect(await page.getByRole('heading', { name: /^dropped\.json\.gz: never connected$/ }).count()).toBe(
        1,
      );
      expect(labService.service.listCalls()).toHaveLength(before + 1);
      await page.close();
      expect(browser.errors.filter((e) => !e.includes('status of 400'))).toEqual([]);
    }, 60_000);

    it('with no saved credentials: the plain refusal, then Reproduce with typed TURN credentials', async () => {
      const service = labService.service;
      service.saveTargets({ targets: service.listTargets().filter((t) => t.kind !== 'turn') });
      try {
        const page = await openCalls();
        await page.getByTestId('call-list').locator('tbody tr button').first().click();
        await page.getByTestId('call-view').waitFor();
        await page.getByRole('button', { name: 'Reproduce' }).click();
        await page
          .getByText(/^The call could not be reproduced: .*need credentials, and the dump has none/)
          .waitFor({ timeout: 30_000 });

        await page.locator('summary', { hasText: 'TURN credentials' }).click();
        await page.getByLabel('Username').fill(turn.user);
        await page.getByLabel('Credential').fill(turn.password);
        await page.getByRole('button', { name: 'Reproduce' }).click();
        await page.getByTestId('call-verdict-line').waitFor({ timeout: 90_000 });
        expect(await page.getByTestId('call-reproduction').getAttribute('data-layer')).toBe('credentials');
        expect(await page.getByTestId('call-verdict-line').textContent()).toMatch(
          /with the credentials given here it allocates/,
        );
        // typed credentials are used once: nothing saved, nothing shown
        expect(service.listTargets().some((t) => t.kind === 'turn')).toBe(false);
        await page.close();
      } finally {
        service.resetTargets();
      }
      expect(browser.errors.filter((e) => !/status of (400|409)/.test(e))).toEqual([]);
    }, 150_000);
  },
);
