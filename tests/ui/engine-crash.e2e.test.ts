import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../src/lab';
import { skipUnlessIsolated } from '../helpers/isolation';
import { startServeCli, type Running } from '../helpers/serve-cli';
import { alive, childrenOf, waitUntil, zombie } from '../isolation/processes';
import { hasChromium, launchBrowser, screenshot, type Browser } from './browser';

// Issue 20: the real `rtc-triage serve` runs the engine in its own process (dist/engine.cjs), as the
// desktop app does. Killed, the engine is restarted and the page says so; the face stays up. Stopped,
// the face leaves nothing running.

const commandOf = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
const engineOf = (servePid: number) =>
  childrenOf(servePid).find((pid) => commandOf(pid).includes('engine.cjs'));
const gone = (pid: number) => !alive(pid) || zombie(pid);

describe.skipIf(!hasChromium || skipUnlessIsolated('the engine crash UI test'))(
  'the engine process behind rtc-triage serve',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-engine-ui-'));
    let serve: Running;
    let browser: Browser;
    let lab: Lab;

    beforeAll(async () => {
      // the embedded lab's servers on loopback are the configured ones (never the public default list)
      lab = await startLab();
      const config = join(dir, 'config.json');
      writeFileSync(config, JSON.stringify({ ...lab.config, retry: { maxAttempts: 1 } }));
      serve = await startServeCli(['--config', config, '--db', join(dir, 'history.db')], {
        RTC_TRIAGE_DATA_DIR: dir,
      });
      browser = await launchBrowser();
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      if (serve && serve.child.exitCode === null) serve.child.kill('SIGKILL');
      await lab?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('a killed engine is restarted, the page says so, and the next diagnosis works', async () => {
      const servePid = serve.child.pid as number;
      const first = engineOf(servePid);
      expect(first, 'serve runs its engine as a child process').toBeDefined();
      const page = await browser.open(serve.url);
      await page.getByText('No diagnosis yet').waitFor();

      process.kill(first as number, 'SIGKILL');
      const banner = page.getByTestId('engine-banner');
      await banner.waitFor();
      // crashed, then restarted: whichever the page saw last, it names what happened
      await page
        .locator('[data-testid="engine-banner"][data-state="restarted"]')
        .waitFor({ timeout: 30_000 });
      await screenshot(page, 'engine-restarted');
      const second = engineOf(servePid);
      expect(second).toBeDefined();
      expect(second).not.toBe(first);

      await page.getByRole('button', { name: 'Run diagnosis' }).click();
      await page.getByTestId('verdict-card').waitFor({ timeout: 60_000 });
      expect(await page.getByTestId('verdict-card').textContent()).toContain('Everything tested works');
      await page.close();
    }, 90_000);

    it('stopping serve ends the engine and its peer hosts with it', async () => {
      const servePid = serve.child.pid as number;
      const engine = engineOf(servePid) as number;
      await waitUntil('the peer hosts', () => childrenOf(engine).length > 0);
      const family = [engine, ...childrenOf(engine)];
      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
      await waitUntil('every child of serve to end', () => family.every(gone), 2_000);
    }, 30_000);
  },
);
