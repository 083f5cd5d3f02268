/**
 * The Partner test screen in Chromium against `serve` over the embedded lab: the browser shows a
 * code and its QR code, a real `rtc-triage partner --join` process enters it, and both meet through
 * the lab's GUN relay and end with the same table. Then the two ways a typed code goes wrong.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServeHandle } from '../../src/cli/serve';
import type { Target } from '../../src/contract';
import { skipUnlessIsolated } from '../helpers/isolation';
import type { LabService } from '../helpers/lab-service';
import { startServedLab, type ServedLab } from './served-lab';
import { resultOf, startPartner } from '../helpers/partner-cli';
import { hasChromium, horizontalOverflow, screenshot, type Browser } from './browser';

/** What the browser's page asks serve for, asked the same way: `POST /api/call/<method>`. */
async function callServe<T>(server: ServeHandle, method: string, args: unknown = {}): Promise<T> {
  const response = await fetch(new URL(`/api/call/${method}`, server.url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${server.token}` },
    body: JSON.stringify(args),
  });
  const body = (await response.json()) as { ok: true; value: T } | { ok: false; error: { message: string } };
  if (!body.ok) throw new Error(`${method}: ${body.error.message}`);
  return body.value;
}

describe.skipIf(!hasChromium || skipUnlessIsolated('the partner screen UI test'))(
  'the Partner test screen in Chromium, with a real CLI partner',
  () => {
    let labService: LabService;
    let server: ServeHandle;
    let browser: Browser;
    let served: ServedLab | undefined;
    let dir: string;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'rtc-triage-partner-ui-'));
      served = await startServedLab();
      ({ labService, server, browser } = served);
    });

    afterAll(async () => {
      await served?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    // A test that failed half-way must not leave its partner test running into the next one.
    afterEach(async () => {
      labService.service.partnerCancel();
      await expect.poll(() => labService.service.partnerStatus().active, { timeout: 30_000 }).toBe(false);
    });

    async function openPartner(): Promise<Page> {
      browser.errors.length = 0;
      const page = await browser.open(`${server.address}#/partner`);
      await page.getByRole('heading', { level: 1, name: 'Partner test' }).waitFor();
      await page.getByRole('button', { name: 'Show a code' }).waitFor();
      return page;
    }

    it('warns that the loopback servers are out of a remote partner’s reach, and says what a partner needs', async () => {
      const page = await openPartner();
      const warning = page.getByTestId('partner-reach');
      await warning.waitFor();
      expect(await warning.getAttribute('role')).toBe('note');
      expect(await warning.getAttribute('data-blocked')).toBe('true');
      const text = (await warning.textContent()) ?? '';
      expect(text).toContain('A partner on another network can never pair with you');
      expect(text).toContain(`${labService.lab.gun.url} (this machine only)`);
      expect(text).toContain('A remote partner needs a GUN relay or PeerJS server both of you can reach');
      // the engine's words: the same sentences as partnerStatus, never the screen's own
      expect(
        labService.service.partnerStatus().reach.sentences.every((sentence) => text.includes(sentence)),
      ).toBe(true);
      // still shown while a code waits, and the code's expiry is one <time>, ISO on hover
      await page.getByRole('button', { name: 'Show a code' }).click();
      await page.getByTestId('partner-code').waitFor();
      await warning.waitFor();
      const expiry = page.locator('.partner-code time');
      expect(await expiry.getAttribute('title')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(await horizontalOverflow(page)).toBe(0);
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await screenshot(page, `partner-reach-${scheme}`);
      }
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.close();
      expect(browser.errors).toEqual([]);
    });

    it('shows a code and its QR code; a CLI partner joins it and both end with the same table', async () => {
      const page = await openPartner();
      await page.getByRole('button', { name: 'Show a code' }).click();
      const codeText = page.getByTestId('partner-code');
      await codeText.waitFor();
      const code = ((await codeText.textContent()) ?? '').trim();
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
      expect(await codeText.getAttribute('aria-label')).toBe(`code ${code.split('').join(' ')}`);
      expect(await page.getByText(`rtc-triage partner --join ${code}`).count()).toBe(1);

      // The QR image is drawn (the CSP lets a data: image in) and says the join command.
      const qr = page.getByTestId('partner-qr');
      await qr.waitFor();
      expect(await qr.getAttribute('alt')).toBe(`QR code: rtc-triage partner --join ${code}`);
      expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
      await page.waitForFunction(
        '(() => { const img = document.querySelector(\'[data-testid="partner-qr"]\'); return !!img && img.complete && img.naturalWidth > 0; })()',
      );
      expect(await page.getByRole('button', { name: 'Cancel' }).count()).toBe(1);
      expect(await horizontalOverflow(page)).toBe(0);
      await screenshot(page, 'partner-code');

      // The CLI partner tests the same servers as the page: its config is serve's target list.
      const targets = await callServe<Target[]>(server, 'listTargets');
      expect(targets.map((t) => t.kind)).toContain('gun');
      const config = join(dir, 'partner.json');
      writeFileSync(config, JSON.stringify({ targets }));
      const joiner = startPartner([
        '--join',
        code,
        '--json',
        '--config',
        config,
        '--db',
        join(dir, 'join.db'),
      ]);
      const exited = await joiner.exited;
      expect(exited.code, exited.stderr).toBe(0);
      const cliResult = resultOf(exited.stdout);
      expect(cliResult).toMatchObject({
        schema: 'rtc-triage/partner@1',
        role: 'join',
        status: 'completed',
        pairedVia: { kind: 'gun' },
      });
      expect(cliResult.cleanup.leaked).toBe(0);

      // The browser side ends with the same result table and correlation id.
      const result = page.getByTestId('partner-result');
      await result.waitFor({ timeout: 60_000 });
      expect(await result.getAttribute('data-status')).toBe('completed');
      expect(await page.getByTestId('partner-correlation-id').textContent()).toBe(cliResult.correlationId);
      const rows = await page
        .getByTestId('partner-row')
        .evaluateAll((nodes) =>
          nodes.map((n) => [n.getAttribute('data-path'), n.getAttribute('data-outcome')]),
        );
      expect(rows).toEqual(cliResult.paths.map((p) => [p.path, p.outcome]));
      // Two testers on one machine: the host-only session connects through private addresses.
      expect(rows[0]).toEqual(['host', 'success']);
      expect(await page.getByTestId('partner-row').first().textContent()).toContain(
        'the two testers share a network',
      );
      const cross = page.getByTestId('partner-cross-network');
      expect(await cross.getAttribute('data-result')).toBe(cliResult.crossNetwork.result);
      expect(cliResult.crossNetwork).toMatchObject({ result: 'untested', sameNetwork: true });
      expect(await result.textContent()).toContain(
        'The two testers only met on a shared network; nothing crossed between networks.',
      );

      // What the page shows is the engine's result for the host, the same table as the CLI's.
      const hostResult = labService.service.partnerStatus().result;
      expect(hostResult).toMatchObject({
        role: 'host',
        status: 'completed',
        correlationId: cliResult.correlationId,
      });
      expect(hostResult?.paths).toEqual(cliResult.paths);
      expect(hostResult?.crossNetwork).toEqual(cliResult.crossNetwork);
      expect(hostResult?.cleanup.leaked).toBe(0);
      expect(await horizontalOverflow(page)).toBe(0);
      await screenshot(page, 'partner-result');

      // The start controls are back for the next test.
      expect(await page.getByRole('button', { name: 'Show a code' }).isEnabled()).toBe(true);
      await page.close();
      expect(browser.errors).toEqual([]);
    }, 180_000);

    it('joining a code nobody waits behind ends with a clear message, and nothing is blamed', async () => {
      const page = await openPartner();
      // A well-formed code that no tester hosts (typed in lower case with O for 0: both forgiven).
      await page.getByLabel("Partner's code").fill('zz9o-zz9o');
      expect(await page.getByLabel("Partner's code").getAttribute('aria-invalid')).toBe('false');
      await page.getByRole('button', { name: 'Join' }).click();
      await page.getByText(/Looking for your partner \(code ZZ90-ZZ90\)/).waitFor();
      // (the previous test's result may still be on the screen until this one ends)
      const result = page.locator('[data-testid="partner-result"][data-status="code-rejected"]');
      await result.waitFor({ timeout: 90_000 });
      expect(await result.getByRole('heading').textContent()).toBe('No partner is waiting for this code');
      const alert = result.getByRole('alert');
      const message = (await alert.textContent()) ?? '';
      expect(message).toContain('no tester is waiting for code ZZ90-ZZ90');
      expect(message).toContain('check the code for typos');
      // Nothing was proven: no table, no cross-network claim.
      expect(await page.getByTestId('partner-row').count()).toBe(0);
      expect(await page.getByTestId('partner-cross-network').count()).toBe(0);
      expect(labService.service.partnerStatus().result).toMatchObject({
        role: 'join',
        status: 'code-rejected',
        codeProblem: 'not-found',
        cleanup: { leaked: 0 },
      });
      await screenshot(page, 'partner-wrong-code');
      await page.close();
      expect(browser.errors).toEqual([]);
    }, 120_000);

    it('a malformed code shows the inline hint and starts nothing', async () => {
      const page = await openPartner();
      const input = page.getByLabel("Partner's code");
      const join = page.getByRole('button', { name: 'Join' });
      const hint = page.getByText(/^A code is 8 letters and digits/);
      expect(await page.getByText('Codes work once and expire after 10 minutes.').count()).toBe(1);
      expect(await join.isDisabled()).toBe(true);

      // A code cut short: no scolding while typing; sending it (Enter or Join) shows why.
      await input.fill('7KQ2-M9X');
      expect(await hint.count()).toBe(0);
      await input.press('Enter');
      await hint.waitFor();
      expect(await input.getAttribute('aria-invalid')).toBe('true');
      expect(await hint.getAttribute('id')).toBe(await input.getAttribute('aria-describedby'));
      expect(await hint.getAttribute('class')).toBe('error');
      await join.click();
      expect(labService.service.partnerStatus().active).toBe(false);
      expect(await page.getByText(/Looking for your partner/).count()).toBe(0);

      // A symbol outside the alphabet (U) is named as soon as it is typed, on a fresh page.
      await page.reload();
      await input.waitFor();
      await input.pressSequentially('7KQ2-M9XU');
      await hint.waitFor();
      expect(await input.getAttribute('aria-invalid')).toBe('true');
      await screenshot(page, 'partner-malformed-code');
      await join.click();
      expect(labService.service.partnerStatus().active).toBe(false);

      // A good code, however typed, clears the hint.
      await input.fill('7kq2 m9xd');
      expect(await hint.count()).toBe(0);
      expect(await input.getAttribute('aria-invalid')).toBe('false');
      expect(await join.isEnabled()).toBe(true);
      await page.close();
      expect(browser.errors).toEqual([]);
    });
  },
);
