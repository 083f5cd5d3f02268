import { columnLabel, matrixColumns, specLabel, type MatrixCell, type MatrixRow } from '../contract';

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

function cellText(cell: MatrixCell | undefined): string {
  if (!cell) return '';
  const mark = cell.configured ? '*' : '';
  if (cell.state === 'up')
    return `${cell.rttMs === null ? 'up' : `up ${Math.round(cell.rttMs * 10) / 10} ms`}${mark}`;
  if (cell.state === 'not-offered') return `not offered${mark}`;
  return `DOWN ${cell.cause ?? ''}`.trimEnd() + mark;
}

/**
 * The transport matrix as text: one line per server and address family, one column per transport
 * and port; a family the server's name has no address for reads as one "no address" line.
 */
export function formatMatrix(rows: readonly MatrixRow[]): string[] {
  if (rows.length === 0) return [];
  const columns = matrixColumns(rows);
  const table: string[][] = [];
  for (const row of rows) {
    for (const family of [4, 6] as const) {
      const cells = row.cells.filter((c) => c.family === family);
      if (cells.length === 0) continue;
      const label = family === 4 ? row.targetId : '';
      if (cells.every((c) => c.cause === 'no-address')) {
        table.push([label, `IPv${family}`, `no IPv${family} address for ${row.host}`]);
        continue;
      }
      table.push([
        label,
        `IPv${family}`,
        ...columns.map((col) => cellText(cells.find((c) => specLabel(c) === specLabel(col)))),
      ]);
    }
  }
  const header = ['server', 'family', ...columns.map(columnLabel)];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...table.map((r) => (r.length > 3 && r[i] ? r[i].length : 0))),
  );
  const line = (cells: string[]) =>
    `  ${cells.map((c, i) => (cells.length === 3 && i === 2 ? c : pad(c, widths[i] ?? 0))).join('  ')}`.trimEnd();
  return [
    'Transport matrix (a TURN allocation per transport, port and address family; * = the configured URL):',
    line(header),
    ...table.map(line),
  ];
}
