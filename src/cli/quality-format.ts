import { qualityThresholdsText, type PathQuality } from '../contract';

const PATH_NAMES: Record<PathQuality['path'], string> = {
  host: 'host',
  srflx: 'reflexive',
  relay: 'relay',
};

const ms = (value: number | null) => (value === null ? '-' : `${value} ms`);

function kbps(value: number | null): string {
  if (value === null) return '-';
  return value >= 10_000 ? `${Math.round(value / 1000)} Mbit/s` : `${value} kbit/s`;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** The figures of one path, in the order a support engineer reads them. */
export function qualityFigures(row: PathQuality): string {
  return [
    `RTT p50 ${ms(row.rttMsP50)}`,
    `p95 ${ms(row.rttMsP95)}`,
    `jitter ${ms(row.jitterMs)}`,
    `loss ${row.lossPct === null ? '-' : `${row.lossPct} %`}`,
    kbps(row.throughputKbps),
  ].join(', ');
}

/** "Paths": one line per connected path with its figures and grade, then the bounds used. */
export function qualityLines(rows: readonly PathQuality[]): string[] {
  if (rows.length === 0) return [];
  const cells = rows.map((row) => [
    PATH_NAMES[row.path],
    row.targetId,
    qualityFigures(row),
    row.grade ?? 'not graded',
  ]);
  const widths = [0, 1, 2].map((i) => Math.max(...cells.map((c) => (c[i] ?? '').length)));
  return [
    'Paths (data channel, each connected session):',
    ...cells.map((c) => `  ${c.map((cell, i) => pad(cell, widths[i] ?? 0)).join('  ')}`.trimEnd()),
    qualityThresholdsText(),
  ];
}
