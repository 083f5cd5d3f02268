import {
  OPENED_BUNDLE_MAX_ATTEMPTS,
  attemptRan,
  matrixOf,
  type Bundle,
  type OpenedBundle,
} from '../../contract';
import { targetStatus } from '../analysis/target-status';
import { bundleAnswer } from '../bundle/answer';

/**
 * A bundle as the UI shows it, read-only: verdicts, patterns, environment, its targets with their
 * counts and the status the bundle's newest diagnosis gave them, and its newest attempts. Events are
 * left out (the Attempts screen's timelines are for the local history).
 */
export function openedBundle(bundle: Bundle, fileName: string): OpenedBundle {
  const reported = new Map((bundle.verdict.lastReport?.targets ?? []).map((t) => [t.id, t.status]));
  const tally = new Map<string, { attempts: number; failures: number }>();
  for (const attempt of bundle.attempts) {
    if (!attemptRan(attempt)) continue;
    const counts = tally.get(attempt.targetId) ?? { attempts: 0, failures: 0 };
    counts.attempts++;
    if (attempt.outcome !== 'success') counts.failures++;
    tally.set(attempt.targetId, counts);
  }
  const newestFirst = [...bundle.attempts].sort(
    (a, b) => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id),
  );
  return {
    fileName,
    manifest: bundle.manifest,
    config: bundle.config,
    verdict: bundle.verdict,
    answer: bundleAnswer(bundle.verdict),
    patterns: bundle.patterns,
    environment: bundle.environment,
    runs: bundle.runs.length,
    targets: bundle.targets.map((target) => {
      const mine = bundle.attempts.filter((a) => a.targetId === target.id);
      return {
        ...target,
        ...(tally.get(target.id) ?? { attempts: 0, failures: 0 }),
        status: reported.get(target.id) ?? (mine.length ? targetStatus(mine) : null),
      };
    }),
    attempts: newestFirst.slice(0, OPENED_BUNDLE_MAX_ATTEMPTS),
    // from every attempt of the bundle, not only the newest ones shown
    matrix: matrixOf(bundle.targets, bundle.attempts),
    attemptsTotal: bundle.attempts.length,
  };
}
