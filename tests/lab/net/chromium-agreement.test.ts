/**
 * Issue 18, item 4: the product's per-server answer against a real browser's WebRTC stack. Every
 * diagnosis scenario of the network lab runs again (tests/lab/net/scenarios.ts, the same runner), and
 * in its still-standing lab Debian's Chromium in lanA gathers with exactly each STUN/TURN server of the
 * config (tests/lab/net/agreement.ts). Every server must agree with the product's report, or differ
 * in a way docs/lab.md lists and the report itself says. The scenario's own expectations are the
 * net-lab test's business; here only the agreement (and a working harness) is asserted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAgreement, disagreements, formatAgreement, GATHERING, type AgreementRow } from './agreement';
import { chromiumSupport } from './chromium';
import { runScenario } from './run-scenario';
import { SCENARIOS } from './scenarios';
import { labSupport } from './support';
import { removeStaleNamespaces } from './topology';

const lab = labSupport();
const browser = chromiumSupport();
const reason = !lab.ok ? lab.reason : !browser.ok ? browser.reason : null;
if (reason) console.warn(`SKIPPED: the Chromium agreement test (tests/lab/net) cannot run here: ${reason}`);

describe.skipIf(reason !== null)("Chromium's WebRTC agrees with the product on every lab server", () => {
  const rows: AgreementRow[] = [];

  beforeAll(() => {
    removeStaleNamespaces();
  });
  afterAll(() => {
    if (rows.length) console.log(formatAgreement(rows));
  });

  it.each(SCENARIOS.map((scenario, index) => ({ scenario, index, id: scenario.id })))(
    '$id',
    async ({ scenario, index }) => {
      let mine: AgreementRow[] | null = null;
      const result = await runScenario(scenario, `a${index}`, {
        observe: async (context) => {
          mine = await chromiumAgreement(scenario.id, context, GATHERING[scenario.timing ?? 'short']);
          rows.push(...mine);
          return [];
        },
      });
      // a broken harness (no report, no browser, a namespace left behind) fails here; a wrong verdict does not
      expect(result.problems.filter((p) => /^harness:|^diagnose exited|namespaces left/.test(p))).toEqual([]);
      expect(mine, 'Chromium ran in the scenario').not.toBeNull();
      const found = mine as unknown as AgreementRow[];
      expect(found.length).toBeGreaterThan(0);
      expect(
        disagreements(found).map(
          (r) => `${r.targetId}: product ${r.product}, Chromium ${r.chromium}: ${r.note}`,
        ),
      ).toEqual([]);
    },
    240_000,
  );
});
