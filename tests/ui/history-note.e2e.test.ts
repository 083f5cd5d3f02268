import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttemptReport } from '../../src/contract';
import type { ServeHandle } from '../../src/cli/serve';
import { HistoryStore } from '../../src/core/store/history';
import { attempt, type FixtureTarget } from '../analysis/history-fixture';
import { skipUnlessIsolated } from '../helpers/isolation';
import type { LabService } from '../helpers/lab-service';
import { startServedLab, type ServedLab } from './served-lab';
import { hasChromium, horizontalOverflow, screenshot, textWithIsoTimes, type Browser } from './browser';

// Issue 17: where the stored pattern and the newest run read the state differently, the History
// screen says which is newer and why, next to the one verdict (here: the stored pattern is "every
// STUN server failing", the newest run says the machine's resolver answers no name: offline).
const OUTSIDE: FixtureTarget[] = [
  { id: 'stun-a', kind: 'stun', url: 'stun:stun-a.test:3478', layer: 'L2' },
  { id: 'stun-b', kind: 'stun', url: 'stun:stun-b.test:3478', layer: 'L2' },
];

function noResolver(targetId: string, at: number): AttemptReport {
  return {
    ...attempt(targetId, 'stun-binding', at, false, { transport: 'udp' }, 'dns'),
    errorMessage: `the name ${targetId}.test did not resolve (EAI_AGAIN)`,
  };
}

describe.skipIf(!hasChromium || skipUnlessIsolated('the History note test'))(
  'History in Chromium, when the newest run and the stored pattern disagree',
  () => {
    let labService: LabService;
    let server: ServeHandle;
    let browser: Browser;
    let served: ServedLab | undefined;

    beforeAll(async () => {
      served = await startServedLab(async (started) => {
        labService = started;
        // Twenty monitoring rounds up to now against servers of another network (never contacted).
        const store = HistoryStore.open(labService.dbPath, { retentionDays: 0 });
        try {
          const to = Date.now() - 1_000;
          for (let at = to - 20 * 60_000; at < to; at += 60_000) {
            const runId = `run-${at}`;
            store.beginRun(runId, new Date(at), 'test', OUTSIDE);
            const run = [
              attempt('local-machine', 'peer-connection', at, true, { path: 'host' }),
              ...OUTSIDE.map((t) => noResolver(t.id, at)),
            ];
            store.ingest(run.map((a) => ({ runId, attempt: a })));
          }
        } finally {
          store.close();
        }
      });
      ({ labService, server, browser } = served);
    });

    afterAll(async () => {
      await served?.close();
    });

    it('shows the one verdict (offline) and a note saying the newest run is newer and why it decides', async () => {
      const history = labService.service.history({ sinceMs: 86_400_000 });
      expect(history.verdict.kind).toBe('offline');
      expect(history.note).toMatch(/^The newest run \(.*\) is newer than the stored pattern/);

      for (const scheme of ['light', 'dark'] as const) {
        browser.errors.length = 0;
        const page = await browser.open(`${server.address}#/history`);
        await page.emulateMedia({ colorScheme: scheme });
        await page.getByRole('heading', { level: 1, name: 'History' }).waitFor();
        const card = page.getByRole('region', { name: history.verdict.title });
        await card.waitFor();
        expect(await card.getAttribute('data-kind')).toBe('offline');
        expect(await card.locator('p', { hasText: 'What to do:' }).textContent()).toMatch(
          /Check this machine's network/,
        );
        const note = card.getByTestId('history-verdict-note');
        expect(await textWithIsoTimes(note)).toBe(history.note);
        // one verdict: no second headline from the stored pattern
        expect(await page.getByText(/^Ongoing outage/).count()).toBe(0);
        expect(await horizontalOverflow(page)).toBe(0);
        await screenshot(page, `history-note-${scheme}`);
        await page.close();
        expect(browser.errors).toEqual([]);
      }
    });
  },
);
