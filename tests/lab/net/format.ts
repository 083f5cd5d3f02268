import type { ScenarioResult } from './run-scenario';
import { SETTLE_MS } from './run-scenario';

const pct = (part: number, whole: number) => (whole === 0 ? '—' : `${((100 * part) / whole).toFixed(1)}%`);

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The matrix `npm run lab` prints: one row per scenario, then the totals against the seed's goals. */
export function formatMatrix(results: readonly ScenarioResult[], elapsedMs: number): string {
  const rows = [
    ['scenario', 'expected', 'got', `settled ≤${SETTLE_MS / 1000}s`, 'leaked', 'time', 'result'],
    ...results.map((r) => [
      r.id,
      r.expected,
      r.got,
      `${r.stats.settled}/${r.stats.attempts} (${pct(r.stats.settled, r.stats.attempts)})`,
      String(r.stats.leaked),
      `${(r.durationMs / 1000).toFixed(0)}s`,
      r.problems.length === 0 ? 'ok' : 'FAIL',
    ]),
  ];
  const attempts = results.reduce((n, r) => n + r.stats.attempts, 0);
  const settled = results.reduce((n, r) => n + r.stats.settled, 0);
  const leaked = results.reduce((n, r) => n + r.stats.leaked, 0);
  const failed = results.filter((r) => r.problems.length > 0);
  const lines = [
    table(rows),
    '',
    `attempts that connected or cleanly aborted within ${SETTLE_MS / 1000} s: ${settled}/${attempts} = ${pct(settled, attempts)} (goal 99%)`,
    `leaked resources: ${leaked} (goal 0)`,
    `scenarios as expected: ${results.length - failed.length}/${results.length} in ${(elapsedMs / 1000).toFixed(0)} s`,
  ];
  for (const r of failed) {
    lines.push('', `${r.id} — ${r.title}:`, ...r.problems.map((p) => `  - ${p}`));
  }
  return lines.join('\n');
}
