import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { ROOT } from '../helpers/build';
import { CHROMIUM, CHROMIUM_ARGS } from '../helpers/chromium';

export { CHROMIUM };
export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `\n!!! SKIPPING the UI end-to-end tests: ${CHROMIUM} is not installed (apt-get install chromium). !!!\n`,
  );
}

/** Screenshots of every screen, kept after the run; .ci/run lists them at the end of the log. */
export const SCREENSHOT_DIR = process.env.RTC_TRIAGE_SCREENSHOT_DIR ?? join(ROOT, 'reports', 'screenshots');

/** The window size the issue names: nothing may break at 1024×700. */
export const VIEWPORT = { width: 1024, height: 700 };

export interface Browser {
  context: BrowserContext;
  /** Page errors and console errors of every page opened: a test ends by expecting none. */
  errors: string[];
  open(url: string): Promise<Page>;
  close(): Promise<void>;
}

/** Debian's Chromium with its own profile, in UTC so seeded night-time history is night here too. */
export async function launchBrowser(
  options: { downloads?: boolean; /** extra Chromium switches */ args?: string[] } = {},
): Promise<Browser> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const userDataDir = mkdtempSync(join(tmpdir(), 'rtc-triage-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
    viewport: VIEWPORT,
    timezoneId: 'UTC',
    locale: 'en-GB',
    acceptDownloads: options.downloads ?? true,
  });
  const errors: string[] = [];
  return {
    context,
    errors,
    async open(url) {
      const page = await context.newPage();
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (message) => {
        // A meta tag cannot carry frame-ancestors; the HTTP header does. Chromium says so, harmlessly.
        if (message.type() === 'error' && !message.text().includes('frame-ancestors'))
          errors.push(message.text());
      });
      await page.goto(url);
      return page;
    },
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** How far the page is wider than the window (0 when nothing overflows horizontally). */
export function horizontalOverflow(page: Page): Promise<number> {
  // (A string: this file is type-checked without the DOM library.)
  return page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
}

export function backgroundColor(page: Page): Promise<string> {
  return page.evaluate<string>('getComputedStyle(document.documentElement).backgroundColor');
}

/** Presses Tab until `matches(focused element)` or gives up after `max` presses. */
export async function tabTo(page: Page, description: string, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate<string>(
      "(document.activeElement && (document.activeElement.getAttribute('aria-label') || document.activeElement.textContent || '')).trim()",
    );
    if (focused === description) return;
  }
  throw new Error(`Tab never reached "${description}"`);
}

/**
 * An element's text with each `<time>` put back as its ISO title: what the engine wrote, for
 * comparing with its words (the UI shows each moment once, in the local zone).
 */
export function textWithIsoTimes(locator: Locator): Promise<string> {
  return locator.evaluate((element) => {
    const copy = element.cloneNode(true) as typeof element;
    for (const time of copy.querySelectorAll('time'))
      time.replaceWith(time.getAttribute('title') ?? time.textContent ?? '');
    return copy.textContent ?? '';
  });
}
