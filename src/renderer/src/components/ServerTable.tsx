import type { ReactNode } from 'react';
import type { TargetStatus } from '../../../contract';
import { formatMs, formatPercent } from './format';
import { RttSparkline } from './RttSparkline';
import { Time } from './Time';

/** A server as any screen has it: a run's target, a Servers-screen row, or a bundle's target. */
export interface ServerTableRow {
  id: string;
  kind: string;
  url: string;
  label?: string | null;
  layer?: string | null;
  status: TargetStatus | null;
  rttMs?: { p50: number; p95: number } | null;
  lastSuccessAt?: string | null;
  attempts?: number;
  failures?: number;
  failureRate?: number | null;
}

/** The optional columns; Server, Kind and Status are always there. */
export type ServerColumn = 'rtt' | 'trend' | 'lastSuccess' | 'failures' | 'counts';

interface Props {
  servers: readonly ServerTableRow[];
  columns: readonly ServerColumn[];
  caption: string;
  /** Each row's test id, as the screens' tests have long found them. */
  rowTestId: string;
  /** Median RTT per step of each server's recent history, for the `trend` column. */
  trends?: ReadonlyMap<string, ReadonlyArray<{ at: string; rttP50: number | null }>>;
  trendWindow?: string;
  /** Buttons at the end of a row (Edit, Remove). */
  actions?: (server: ServerTableRow) => ReactNode;
}

const layerName = (layer: string | null | undefined) => (layer === 'L1' ? 'embedded lab' : (layer ?? null));

/**
 * The one server table: Overview (a run's targets), Servers (health over 24 h, editable) and an
 * opened bundle show their servers with these columns, the same status words and URL clipping.
 */
export function ServerTable({ servers, columns, caption, rowTestId, trends, trendWindow, actions }: Props) {
  const has = (column: ServerColumn) => columns.includes(column);
  return (
    <div className="table-scroll">
      <table className="server-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Server</th>
            <th scope="col">Kind</th>
            <th scope="col">Status</th>
            {has('rtt') && (
              <>
                <th scope="col" className="num">
                  RTT p50
                </th>
                <th scope="col" className="num">
                  RTT p95
                </th>
              </>
            )}
            {has('trend') && <th scope="col">RTT {trendWindow ?? 'trend'}</th>}
            {has('lastSuccess') && <th scope="col">Last success</th>}
            {has('failures') && (
              <th scope="col" className="num">
                Failures (24 h)
              </th>
            )}
            {has('counts') && (
              <>
                <th scope="col" className="num">
                  Attempts
                </th>
                <th scope="col" className="num">
                  Failed
                </th>
              </>
            )}
            {actions && (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {servers.map((server) => {
            const name = server.label ?? server.id;
            const status = server.status ?? 'untested';
            const url = server.url === 'local:machine' ? 'this machine' : server.url;
            const layer = layerName(server.layer);
            return (
              <tr key={server.id} data-testid={rowTestId} data-status={status}>
                <th scope="row" className="server-name">
                  <span className="clip mono" title={server.url} data-testid="clipped">
                    {url}
                  </span>
                  {name !== server.url && (
                    <span className="clip sub" title={name}>
                      {name}
                    </span>
                  )}
                </th>
                <td>
                  {server.kind}
                  {layer && <span className="sub">{layer}</span>}
                </td>
                <td>
                  <span className={`status status-${status}`}>{status}</span>
                </td>
                {has('rtt') && (
                  <>
                    <td className="num">{formatMs(server.rttMs?.p50)}</td>
                    <td className="num">{formatMs(server.rttMs?.p95)}</td>
                  </>
                )}
                {has('trend') && (
                  <td>
                    <RttSparkline points={trends?.get(server.id) ?? []} server={url} window={trendWindow} />
                  </td>
                )}
                {has('lastSuccess') && (
                  <td className="nowrap">
                    {server.lastSuccessAt ? <Time iso={server.lastSuccessAt} /> : 'never'}
                  </td>
                )}
                {has('failures') && (
                  <td className="num">
                    {server.failureRate === null || server.failureRate === undefined ? (
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
                )}
                {has('counts') && (
                  <>
                    <td className="num">{server.attempts ?? '—'}</td>
                    <td className="num">{server.failures ?? '—'}</td>
                  </>
                )}
                {actions && <td className="row-actions">{actions(server)}</td>}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
