import type { BundleAnswer, BundleVerdict } from '../../contract';

/**
 * The one verdict of a bundle, for every face that opens one (`inspect`, the Bundles screen).
 *
 * The history verdict is the answer when the bundle has one: it covers the whole window up to the
 * export, and it already weighs the newest diagnosis (an ongoing outage the newest run reads
 * differently takes the newest run's verdict: docs/history.md). Without history, the newest
 * diagnosis; without either, a verdict the exporting face passed in. When the newest diagnosis read
 * a different kind, the note says so and why the answer stands, instead of a second verdict card;
 * when the history's verdict itself follows the newest run against a stored pattern, the history's
 * own note says that.
 */
export function bundleAnswer(verdicts: BundleVerdict): BundleAnswer | null {
  const { history, lastReport, given } = verdicts;
  if (history) {
    const differs = lastReport && lastReport.verdict.kind !== history.verdict.kind;
    return {
      verdict: history.verdict,
      from: 'history',
      source: `history of the bundle's window, ${history.since} to ${history.until}`,
      note: history.note
        ? history.note
        : differs
          ? `The newest diagnosis (run ${lastReport.runId}, finished ${lastReport.finishedAt}) alone read "${lastReport.verdict.title}" [${lastReport.verdict.kind}]; the history runs until ${history.until}, is newer, and already weighs that run with the ones before it, so its verdict is the answer.`
          : null,
    };
  }
  if (lastReport)
    return {
      verdict: lastReport.verdict,
      from: 'newest-run',
      source: `newest diagnosis in the bundle, run ${lastReport.runId}, finished ${lastReport.finishedAt}`,
      note: null,
    };
  if (given)
    return {
      verdict: given,
      from: 'given',
      source: 'the verdict shown when the bundle was exported',
      note: null,
    };
  return null;
}
