import type { ServerRow } from '../../../../contract';
import { formatAgo, formatMs, formatPercent } from '../../components/format';

interface Props {
  servers: ServerRow[];
  onEdit(index: number): void;
  onRemove(index: number): void;
  busy: boolean;
}

/** Every server with its status (newest diagnosis) and its last 24 h from the history. */
export function ServerTable({ servers, onEdit, onRemove, busy }: Props) {
  return (
    <div className="table-scroll">
      <table className="server-table">
        <caption className="visually-hidden">Servers, their status and the last 24 hours</caption>
        <thead>
          <tr>
            <th scope="col">Server</th>
            <th scope="col">Kind</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              RTT p50
            </th>
            <th scope="col" className="num">
              RTT p95
            </th>
            <th scope="col">Last success</th>
            <th scope="col" className="num">
              Failures (24 h)
            </th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {servers.map((server) => {
            const name = server.label ?? server.id;
            return (
              <tr key={server.id} data-testid="server-row" data-status={server.status}>
                <th scope="row" className="server-name">
                  <span className="mono">{server.url}</span>
                  {name !== server.url && <span className="sub">{name}</span>}
                </th>
                <td>
                  {server.kind}
                  <span className="sub">{server.layer === 'L1' ? 'embedded lab' : server.layer}</span>
                </td>
                <td>
                  <span className={`status status-${server.status}`}>{server.status}</span>
                </td>
                <td className="num">{formatMs(server.rttMs?.p50)}</td>
                <td className="num">{formatMs(server.rttMs?.p95)}</td>
                <td>{server.lastSuccessAt ? formatAgo(server.lastSuccessAt) : 'never'}</td>
                <td className="num">
                  {server.failureRate === null ? (
                    '—'
                  ) : (
                    <>
                      {formatPercent(server.failureRate)}
                      <span className="sub">
                        {server.failures} of {server.attempts}
                      </span>
                    </>
                  )}
                </td>
                <td className="row-actions">
                  {server.configIndex !== null && (
                    <>
                      <button
                        type="button"
                        className="small"
                        onClick={() => onEdit(server.configIndex as number)}
                        aria-label={`Edit ${server.url}`}
                        disabled={busy}
                      >
                        Edit
                      </button>
                      <button
                        type="button"
                        className="small"
                        onClick={() => onRemove(server.configIndex as number)}
                        aria-label={`Remove ${server.url}`}
                        disabled={busy}
                      >
                        Remove
                      </button>
                    </>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
