import {
  HISTORY_SCHEMA,
  type AttemptReport,
  type HistoryReport,
  type Pattern,
  type TargetReport,
  type Verdict,
  type VerdictKind,
} from '../../contract';
import { attemptFromRow } from '../store/history';
import type { HistoryQueries } from '../store/queries';
import type { Outage } from './outage';
import { analyzeHistory, THRESHOLDS, type Analysis } from './patterns';
import { targetStatus } from './target-status';
import { checksOf } from './checks';
import { verdictFor } from './verdict';
import { alsoSentences, verdictNotices, type Notice } from './verdict-notices';

export interface HistoryVerdictOptions {
  from: number;
  to: number;
  timeZone?: string;
  appFailing?: boolean;
}

const SCOPE_NAMES: Record<string, string> = {
  everything: 'every outside server',
  'cross-network-path': 'the relayed cross-network path',
  local: 'the local tests',
};

/** "Now" in history: the attempts of the last half hour of the window. */
const CURRENT_MS = 30 * 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

const SCOPE_RANK = (scope: string) =>
  scope === 'everything'
    ? 4
    : scope.startsWith('kind:')
      ? 3
      : scope === 'local'
        ? 3
        : scope === 'cross-network-path'
          ? 2
          : 1;

/** The patterns and the overall verdict over [from, to) of the stored history. */
export function historyReport(queries: HistoryQueries, options: HistoryVerdictOptions): HistoryReport {
  const analysis = analyzeHistory(queries, options);
  const { verdict, note } = historyVerdict(queries, analysis, options);
  return {
    schema: HISTORY_SCHEMA,
    since: iso(options.from),
    until: iso(options.to),
    timeZone: analysis.timeZone,
    attempts: analysis.attempts,
    failures: analysis.failures,
    targets: analysis.targets,
    patterns: analysis.patterns,
    verdict,
    note,
  };
}

/** The newest run's verdict (the newest attempt of every target) and when that run was. */
interface Current {
  verdict: Verdict;
  at: number;
  /** What the newest run's verdict says besides its cause: a stored pattern's verdict says it too. */
  notices: Notice[];
}

function currentVerdict(queries: HistoryQueries, options: HistoryVerdictOptions): Current | null {
  const rows = queries.attemptsBetween(Math.max(options.from, options.to - CURRENT_MS), options.to, 5000);
  if (rows.length === 0) return null;
  const attempts: AttemptReport[] = rows.map(attemptFromRow).reverse();
  const stored = new Map(queries.targets().map((t) => [t.id, t]));
  const targets: TargetReport[] = [];
  for (const id of new Set(attempts.map((a) => a.targetId))) {
    const t = stored.get(id);
    if (!t || !['stun', 'turn', 'gun', 'peerjs', 'machine'].includes(t.kind)) continue;
    const mine = attempts.filter((a) => a.targetId === id);
    // Over history only the newest job counts as "now".
    const newest = mine.at(-1)?.correlationId;
    targets.push({
      id,
      kind: t.kind as TargetReport['kind'],
      layer: t.layer,
      url: t.url,
      status: targetStatus(
        mine.filter((a) => a.correlationId === newest),
        t.kind,
      ),
      rttMs: null,
    });
  }
  const verdict = verdictFor({
    targets,
    attempts,
    appFailing: options.appFailing ?? false,
    cancelled: false,
  });
  return {
    verdict,
    at: Math.max(...attempts.map((a) => Date.parse(a.startedAt))),
    notices: verdictNotices(checksOf(targets, attempts)),
  };
}

function kindOf(outage: Outage): VerdictKind {
  const localFailed = outage.local.attempts > 0 && outage.local.failures / outage.local.attempts > 0.5;
  if (outage.scope === 'local' || localFailed) return 'local-environment';
  if (outage.scope === 'everything' && outage.noRoute >= 0.8 * outage.failures) return 'offline';
  if (outage.scope === 'cross-network-path') {
    const serversOk = outage.servers.attempts > 0 && outage.servers.failures / outage.servers.attempts < 0.2;
    return serversOk ? 'network-restricted' : 'infrastructure-outage';
  }
  if (outage.scope === 'everything' || outage.scope.startsWith('kind:')) return 'infrastructure-outage';
  return 'partial-outage';
}

function describeOutage(outage: Outage, recurring: Pattern | undefined, kind: VerdictKind) {
  const what =
    outage.scope === 'everything'
      ? 'every outside server and cross-network path'
      : outage.scope.startsWith('kind:')
        ? `every ${outage.scope.slice(5)} server`
        : outage.scope.startsWith('target:')
          ? outage.scope.slice(7)
          : outage.scope;
  const localPart = outage.local.attempts
    ? `while ${outage.local.attempts - outage.local.failures} of ${outage.local.attempts} local tests passed`
    : 'with no local test running';
  const how = outage.timeouts === outage.failures ? ' (all timeouts)' : '';
  const when =
    outage.end === null
      ? `since ${iso(outage.start)} and it is still going on`
      : `from ${iso(outage.start)} to ${iso(outage.end)}, then recovered on its own${outage.recoveredAt !== null ? ` (all back ${Math.round((outage.recoveredAt - outage.end) / 1000)} s later)` : ''}`;
  const recurs = recurring
    ? ` The same window, ${recurring.window} (${recurring.timeZone}), was seen on ${recurring.dates?.join(', ')}: a recurring maintenance window.`
    : '';
  const blame =
    kind === 'local-environment'
      ? ' The local tests failed too: the problem is this machine, not the servers.'
      : kind === 'network-restricted'
        ? ' The servers answered: the network blocked the relayed path.'
        : ' This is the infrastructure, not the app and not the user.';
  return `${outage.failures} of ${outage.attempts} attempts against ${what} failed${how} ${localPart}, ${when}.${recurs}${blame}`;
}

/** The history's verdict, and when it follows the newest run against the stored pattern, why. */
interface HistoryAnswer {
  verdict: Verdict;
  note: string | null;
}

function historyVerdict(
  queries: HistoryQueries,
  analysis: Analysis,
  options: HistoryVerdictOptions,
): HistoryAnswer {
  const newestRun = currentVerdict(queries, options);
  const decided = decide(newestRun, analysis);
  return 'note' in decided ? decided : { verdict: decided, note: null };
}

function decide(newestRun: Current | null, analysis: Analysis): Verdict | HistoryAnswer {
  const current = newestRun?.verdict ?? null;
  const notices = newestRun?.notices ?? [];
  const noticed = new Set(notices.flatMap((n) => n.evidence.map((e) => e.summary)));
  const outages = [...analysis.outages].sort(
    (a, b) =>
      Number(a.end !== null) - Number(b.end !== null) ||
      SCOPE_RANK(b.scope) - SCOPE_RANK(a.scope) ||
      b.start - a.start,
  );
  const worst = outages[0];
  if (!current && !worst) {
    return {
      kind: 'inconclusive',
      local: 'untested',
      crossNetwork: 'untested',
      confidence: 0.1,
      title: 'No history in this window',
      message: 'No attempt was stored in the chosen window, so there is nothing to analyse.',
      action:
        'Run `rtc-triage diagnose --lab`, or `rtc-triage monitor --every 60s` to build a history; or widen --since.',
      evidence: [],
    };
  }
  const currentProblem = current && current.kind !== 'healthy' && current.kind !== 'app-suspect';
  // One verdict function: while an outage is ongoing, the newest run's verdict (verdictFor over the
  // newest attempt of every target) decides what it is; history only adds since when. Where the two
  // read it differently (an offline machine, a name that does not exist), the newest run wins and the
  // report's note says which is newer and why.
  if (
    worst &&
    worst.end === null &&
    newestRun &&
    current &&
    current.kind !== 'healthy' &&
    (current.kind !== kindOf(worst) || current.kind === 'offline')
  ) {
    return newestRunDecides(newestRun, worst);
  }
  if (worst && (!currentProblem || worst.end === null)) {
    const kind = kindOf(worst);
    const recurring = analysis.recurring.find((p) => p.scope === worst.scope);
    const localPassed = worst.local.attempts > 0 && worst.local.failures / worst.local.attempts < 0.2;
    const ongoing = worst.end === null;
    const slow =
      worst.recoveredAt !== null &&
      worst.end !== null &&
      worst.recoveredAt - worst.end >= THRESHOLDS.recoveryGoalMs;
    const scopeName = SCOPE_NAMES[worst.scope] ?? worst.scope.replace(/^(target|kind):/, '');
    const title = ongoing
      ? `Ongoing outage: ${scopeName}`
      : recurring
        ? `Recurring outage of ${scopeName}, ${recurring.window} local time`
        : `Outage of ${scopeName}, ended ${iso(worst.end as number)}`;
    return {
      kind,
      local: worst.local.attempts === 0 ? 'untested' : localPassed ? 'pass' : 'fail',
      crossNetwork: kind === 'partial-outage' ? 'untested' : 'fail',
      confidence: Math.min(0.95, (localPassed ? 0.75 : 0.55) + (recurring ? 0.15 : 0)),
      title,
      message:
        describeOutage(worst, recurring, kind) +
        (slow ? ' Recovery after the outage was slower than the 30 s goal.' : ''),
      action: [actionFor(kind, ongoing, recurring), ...alsoSentences(notices)].join(' '),
      evidence: [
        ...notices.flatMap((n) => n.evidence),
        ...(recurring?.evidence ?? []),
        {
          summary: `outage ${worst.scope}: first failure ${iso(worst.start)}${worst.end !== null ? `, first success after it ${iso(worst.end)}` : ''}`,
        },
        ...(current ? current.evidence.filter((e) => !noticed.has(e.summary)).slice(0, 8) : []),
      ],
      // what each service is now: the newest run's, decided with its verdict
      ...(current?.services ? { services: current.services } : {}),
    };
  }
  if (current) {
    const alerts = analysis.patterns.filter((p) => p.kind === 'failure-rate' && p.level === 'alert');
    if (alerts.length === 0 || currentProblem) return current;
    return {
      ...current,
      confidence: Math.max(0.3, current.confidence - 0.15),
      message: `${current.message} Earlier in this window failure rates crossed the alert threshold (>20% over 10 min) ${alerts.length} time(s): ${alerts
        .slice(0, 3)
        .map((a) => a.scope)
        .join(', ')}.`,
    };
  }
  return {
    kind: 'inconclusive',
    local: 'untested',
    crossNetwork: 'untested',
    confidence: 0.2,
    title: 'Not enough recent history',
    message: 'Nothing was tested in the last half hour of the window.',
    action: 'Run `rtc-triage diagnose --lab` now.',
    evidence: [],
  };
}

function newestRunDecides(newestRun: Current, outage: Outage): HistoryAnswer {
  const scopeName = SCOPE_NAMES[outage.scope] ?? outage.scope.replace(/^(target|kind):/, '');
  const { verdict } = newestRun;
  return {
    verdict: {
      ...verdict,
      evidence: [
        ...verdict.evidence,
        { summary: `history: ${outage.scope} failing since ${iso(outage.start)} (newest run decides)` },
      ],
    },
    note: `The newest run (${iso(newestRun.at)}) is newer than the stored pattern (failures of ${scopeName} since ${iso(outage.start)}) and carries the machine's own evidence of what failed and why, so its verdict stands.`,
  };
}

function actionFor(kind: VerdictKind, ongoing: boolean, recurring: Pattern | undefined): string {
  const next = recurring
    ? ` Expect it again around ${recurring.window} (${recurring.timeZone}); if the app must work then, give it fallback servers on another provider.`
    : '';
  switch (kind) {
    case 'infrastructure-outage':
      return (
        (ongoing
          ? 'Wait: outages like this end on their own; do not roll back the app.'
          : 'Nothing to fix in the app: it recovered without a change.') + next
      );
    case 'partial-outage':
      return "Replace or remove the failing server in the app's server list; the others work." + next;
    case 'network-restricted':
      return 'Offer TURN over TCP/TLS on port 443, or test from another network (`rtc-triage partner`).';
    case 'offline':
      return "Check this machine's network: the connection (Wi-Fi, cable, VPN, proxy), default route and DNS resolver of the machine that ran the tests.";
    case 'local-environment':
      return 'Check this machine: firewall and security software, then run `rtc-triage diagnose --lab`.';
    default:
      return 'Run `rtc-triage diagnose --lab` for the current state.';
  }
}

/**
 * The patterns of the last `windowMs` of history up to `to`, for a diagnosis report's `patterns`
 * (the runner's one-liner: `patterns: store ? recentPatterns(store.queries, Date.now()) : []`).
 */
export function recentPatterns(
  queries: HistoryQueries,
  to: number,
  windowMs = 86_400_000,
  timeZone?: string,
): Pattern[] {
  return analyzeHistory(queries, { from: to - windowMs, to, ...(timeZone ? { timeZone } : {}) }).patterns;
}
