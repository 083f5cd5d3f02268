import type { TargetReport } from '../../../contract';
import { formatMs } from './format';

/** One row per configured target: its status and round-trip time over this run. */
export function TargetTable({ targets }: { targets: TargetReport[] }) {
  return (
    <section className="targets" aria-labelledby="targets-title">
      <h2 id="targets-title">Servers</h2>
      <div className="table-scroll">
        <table>
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
            </tr>
          </thead>
          <tbody>
            {targets.map((target) => (
              <tr key={target.id} data-testid="target-row">
                <td className="mono">{target.url}</td>
                <td>{target.kind}</td>
                <td>
                  <span className={`status status-${target.status}`}>{target.status}</span>
                </td>
                <td className="num">{formatMs(target.rttMs?.p50)}</td>
                <td className="num">{formatMs(target.rttMs?.p95)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
