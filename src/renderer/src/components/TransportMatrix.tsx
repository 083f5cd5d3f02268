import {
  cellLabel,
  columnLabel,
  matrixColumns,
  specLabel,
  type MatrixCell,
  type MatrixRow,
} from '../../../contract';
import { formatMs } from './format';

const STATE_WORDS: Record<MatrixCell['state'], string> = {
  up: 'up',
  down: 'down',
  'not-offered': 'not offered',
};

function Cell({ cell }: { cell: MatrixCell | undefined }) {
  if (!cell) return <td className="matrix-cell matrix-none">—</td>;
  // the cell's whole story is its title (hover) and, for screen readers, its text
  const why = cell.detail ?? cell.cause ?? '';
  const title = `${cellLabel(cell)}: ${STATE_WORDS[cell.state]}${why ? ` — ${why}` : ''}${cell.configured ? ' (the configured URL)' : ''}`;
  return (
    <td
      className={`matrix-cell matrix-${cell.state}`}
      data-testid="matrix-cell"
      data-cell={`${specLabel(cell)}/${cell.family}`}
      data-state={cell.state}
      title={title}
    >
      <span className="matrix-state">{STATE_WORDS[cell.state]}</span>
      {cell.configured && (
        <span className="matrix-configured" aria-label="the configured URL">
          *
        </span>
      )}
      <span className="sub">
        {cell.state === 'up' ? formatMs(cell.rttMs) : cell.state === 'down' ? (cell.cause ?? '') : ''}
      </span>
    </td>
  );
}

/**
 * Each TURN server over every transport and port it was tried on, for IPv4 and IPv6: one row per
 * server and family, one column per transport and port, the configured URL starred.
 */
export function TransportMatrix({ rows }: { rows: readonly MatrixRow[] }) {
  if (rows.length === 0) return null;
  const columns = matrixColumns(rows);
  return (
    <section className="card transport-matrix" aria-labelledby="matrix-title" data-testid="transport-matrix">
      <h2 id="matrix-title">Transport matrix</h2>
      <p className="sub">
        A TURN allocation on each transport and port, over IPv4 and IPv6. * marks the configured URL; hover a
        cell for its reason.
      </p>
      <div className="table-scroll">
        <table>
          <caption className="visually-hidden">
            TURN servers by transport, port and address family: up, down or not offered
          </caption>
          <thead>
            <tr>
              <th scope="col">Server</th>
              <th scope="col">Family</th>
              {columns.map((col) => (
                <th scope="col" key={specLabel(col)}>
                  {columnLabel(col)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.flatMap((row) => {
              const families = ([4, 6] as const).filter((f) => row.cells.some((c) => c.family === f));
              return families.map((family, index) => {
                const cells = row.cells.filter((c) => c.family === family);
                const none = cells.every((c) => c.cause === 'no-address');
                return (
                  <tr key={`${row.targetId}-${family}`} data-testid="matrix-row" data-family={family}>
                    {index === 0 && (
                      <th scope="row" rowSpan={families.length} className="server-name">
                        <span className="mono url" title={row.url}>
                          {row.url}
                        </span>
                        <span className="sub">{row.targetId}</span>
                      </th>
                    )}
                    <td>IPv{family}</td>
                    {none ? (
                      <td colSpan={columns.length} className="matrix-cell matrix-not-offered">
                        no IPv{family} address for {row.host}
                      </td>
                    ) : (
                      columns.map((col) => (
                        <Cell
                          key={specLabel(col)}
                          cell={cells.find((c) => specLabel(c) === specLabel(col))}
                        />
                      ))
                    )}
                  </tr>
                );
              });
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
