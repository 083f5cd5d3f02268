import {
  qualityThresholdsText,
  summarisePath,
  type PartnerPath,
  type PartnerResult,
  type TriageEvent,
} from '../contract';

const PATH_NAMES: Record<string, string> = {
  host: 'host-only',
  srflx: 'reflexive-only',
  relay: 'relay-only',
};
const OUTCOME_MARK: Record<string, string> = {
  success: 'ok',
  timeout: 'TIMEOUT',
  error: 'FAILED',
  aborted: 'aborted',
  skipped: 'skipped',
};

const num = (value: unknown, unit: string) => (typeof value === 'number' ? `${value}${unit}` : '-');

function kbps(value: unknown): string {
  if (typeof value !== 'number') return '-';
  return value >= 10_000 ? `${Math.round(value / 1000)} Mbit/s` : `${value} kbit/s`;
}

function note(path: PartnerPath): string {
  if (path.outcome === 'success')
    return path.metrics.sameNetwork === true ? 'reached a private address: the testers share a network' : '';
  return path.message ?? '';
}

const figure = (value: unknown) => (typeof value === 'number' ? value : null);

/** A connected session's grade (contract/quality.ts); '-' for one that did not connect. */
function grade(path: PartnerPath): string {
  if (path.outcome !== 'success') return '-';
  const m = path.metrics;
  return (
    summarisePath({ rttMsP50: figure(m.rttMsP50), jitterMs: figure(m.jitterMs), lossPct: figure(m.lossPct) })
      .grade ?? '-'
  );
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** The shared result table, then what it proves. */
export function formatPartnerResult(result: PartnerResult): string {
  const lines: string[] = [];
  const via = result.pairedVia ? ` through ${result.pairedVia.url}` : '';
  lines.push(`Partner test (${result.role}): ${result.status}${via}`);
  lines.push(result.message);
  if (result.paths.length > 0) {
    lines.push('');
    const header = [
      'session',
      'server',
      'result',
      'rtt p50',
      'p95',
      'jitter',
      'loss',
      'throughput',
      'grade',
      'note',
    ];
    const rows = result.paths.map((p) => [
      PATH_NAMES[p.path] ?? p.path,
      p.server ?? '-',
      OUTCOME_MARK[p.outcome] ?? p.outcome,
      num(p.metrics.rttMsP50, ' ms'),
      num(p.metrics.rttMsP95, ' ms'),
      num(p.metrics.jitterMs, ' ms'),
      num(p.metrics.lossPct, '%'),
      kbps(p.metrics.throughputKbps),
      grade(p),
      note(p),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    widths[widths.length - 1] = 0;
    for (const row of [header, ...rows])
      lines.push(
        row
          .map((cell, i) => pad(cell, widths[i] ?? 0))
          .join('  ')
          .trimEnd(),
      );
    if (result.paths.some((p) => p.outcome === 'success')) lines.push(qualityThresholdsText());
    lines.push('');
    const cn = result.crossNetwork;
    lines.push(
      `Cross-network: ${cn.result}${cn.path ? ` (${cn.path})` : ''}${cn.needsTurn === true ? ' — this network needs TURN' : cn.needsTurn === false ? ' — no TURN needed' : ''}`,
    );
    if (cn.summary !== result.message) lines.push(cn.summary);
  }
  if (result.verdict) {
    lines.push('');
    lines.push(`${result.verdict.title}  [${result.verdict.kind}]`);
    lines.push(`What to do: ${result.verdict.action}`);
  }
  lines.push('');
  const c = result.cleanup;
  lines.push(
    `correlation id ${result.correlationId}; resources opened ${c.opened}, released ${c.released}, leaked ${c.leaked}; run ${result.runId}`,
  );
  return lines.join('\n');
}

/** One progress line per partner milestone, for stderr while the test runs. */
export function partnerProgressLine(event: TriageEvent): string | null {
  const data = event.data ?? {};
  if (event.name === 'partner.paired') return `paired through ${String(data.via)} (${String(data.targetId)})`;
  if (event.name === 'partner.path.finished') {
    const path = data.path as PartnerPath | undefined;
    if (!path) return null;
    const what = `${PATH_NAMES[path.path] ?? path.path}${path.server ? ` via ${path.server}` : ''}`;
    const figures =
      path.outcome === 'success'
        ? `RTT ${num(path.metrics.rttMsP50, ' ms')}, loss ${num(path.metrics.lossPct, '%')}, ${kbps(path.metrics.throughputKbps)}`
        : (path.message ?? '');
    return `  ${pad(OUTCOME_MARK[path.outcome] ?? path.outcome, 8)}${what}: ${figures}`;
  }
  if (event.name === 'attempt.finished' && data.probe === 'partner-rendezvous' && data.outcome !== 'success')
    return `  could not use ${event.targetId ?? 'a signaling server'}: ${String(data.errorClass)}`;
  return null;
}
