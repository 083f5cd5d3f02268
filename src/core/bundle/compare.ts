import {
  attemptRan,
  type Bundle,
  type BundleComparison,
  type BundleServerView,
  type TargetStatus,
} from '../../contract';

export interface NamedBundle {
  /** How the engineer refers to it: usually the file name. */
  name: string;
  bundle: Bundle;
}

/**
 * The same server seen from several users' networks: one row per server URL, one view per bundle.
 * URLs match across bundles because configured server hosts are kept by redaction; a server given
 * by a private address is hashed with each bundle's own key, so it shows up once per bundle.
 */
export function compareBundles(bundles: ReadonlyArray<NamedBundle>): BundleComparison {
  const servers = new Map<string, { kind: string; views: BundleServerView[] }>();
  for (const { name, bundle } of bundles) {
    const lastStatus = new Map((bundle.verdict.lastReport?.targets ?? []).map((t) => [t.id, t.status]));
    const tally = new Map<string, { attempts: number; failures: number; last: string | null }>();
    for (const attempt of bundle.attempts) {
      if (!attemptRan(attempt)) continue;
      const t = tally.get(attempt.targetId) ?? { attempts: 0, failures: 0, last: null };
      t.attempts++;
      if (attempt.outcome !== 'success') t.failures++;
      if (t.last === null || attempt.startedAt > t.last) t.last = attempt.startedAt;
      tally.set(attempt.targetId, t);
    }
    const seen = new Set<string>();
    for (const target of bundle.targets) {
      if (target.kind === 'machine' || seen.has(target.url)) continue;
      seen.add(target.url);
      const counts = tally.get(target.id) ?? { attempts: 0, failures: 0, last: null };
      const reported = lastStatus.get(target.id);
      const view: BundleServerView = {
        bundle: name,
        bundleId: bundle.manifest.bundleId,
        createdAt: bundle.manifest.createdAt,
        status: reported ?? statusFromCounts(counts.attempts, counts.failures),
        statusFrom: reported ? 'last-report' : counts.attempts ? 'attempts' : 'none',
        attempts: counts.attempts,
        failures: counts.failures,
        lastAttemptAt: counts.last,
        vpnHints: bundle.environment.vpnHints,
        proxy: Object.keys(bundle.environment.proxies).some((k) => !/^no_proxy$/i.test(k)),
      };
      const row = servers.get(target.url) ?? { kind: target.kind, views: [] };
      row.views.push(view);
      servers.set(target.url, row);
    }
  }
  return {
    schema: 'rtc-triage/bundle-comparison@1',
    bundles: bundles.map(({ name, bundle }) => ({
      bundle: name,
      bundleId: bundle.manifest.bundleId,
      createdAt: bundle.manifest.createdAt,
    })),
    servers: [...servers.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([url, { kind, views }]) => ({ url, kind, views, summary: summarize(views) })),
  };
}

function statusFromCounts(attempts: number, failures: number): TargetStatus {
  if (attempts === 0) return 'untested';
  if (failures === 0) return 'up';
  return failures === attempts ? 'down' : 'degraded';
}

function summarize(views: BundleServerView[]): BundleComparison['servers'][number]['summary'] {
  const statuses = views.map((v) => v.status);
  if (statuses.every((s) => s === 'up')) return 'everywhere-up';
  if (statuses.every((s) => s === 'down')) return 'everywhere-down';
  if (statuses.some((s) => s === 'untested')) return 'mixed';
  return 'some-networks';
}
