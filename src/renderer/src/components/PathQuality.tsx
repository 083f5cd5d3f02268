import {
  pathQualityOf,
  qualityThresholdsText,
  type PathQuality as PathQualityRow,
  type Report,
} from '../../../contract';
import { formatMs } from './format';

const PATH_NAMES: Record<PathQualityRow['path'], string> = {
  host: 'Host (local)',
  srflx: 'Direct (reflexive)',
  relay: 'Relay (TURN)',
};

function loss(value: number | null): string {
  return value === null ? '—' : `${value} %`;
}

function throughput(value: number | null): string {
  if (value === null) return '—';
  return value >= 10_000 ? `${Math.round(value / 1000)} Mbit/s` : `${value} kbit/s`;
}

/**
 * Quality figures of every connected path of the run, each with its grade; the bounds it was graded
 * against are the table's caption. A report stored before the figures existed gets them from its
 * attempts (only the RTT p50 there).
 */
export function PathQuality({ report }: { report: Report }) {
  const rows = report.quality ?? pathQualityOf(report.attempts);
  if (rows.length === 0) return null;
  const urls = new Map(report.targets.map((t) => [t.id, t.kind === 'machine' ? 'this machine' : t.url]));
  return (
    <section className="path-quality" aria-labelledby="path-quality-title" data-testid="path-quality">
      <h2 id="path-quality-title">Connection quality</h2>
      <div className="table-scroll">
        <table>
          <caption data-testid="quality-thresholds">{qualityThresholdsText()}</caption>
          <thead>
            <tr>
              <th scope="col">Path</th>
              <th scope="col">Server</th>
              <th scope="col" className="num">
                RTT p50
              </th>
              <th scope="col" className="num">
                RTT p95
              </th>
              <th scope="col" className="num">
                Jitter
              </th>
              <th scope="col" className="num">
                Loss
              </th>
              <th scope="col" className="num">
                Throughput
              </th>
              <th scope="col">Quality</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr
                key={`${row.targetId}-${row.probe}-${row.path}`}
                data-testid="quality-row"
                data-path={row.path}
                data-grade={row.grade ?? 'none'}
              >
                <td>{PATH_NAMES[row.path]}</td>
                <td className="mono">{urls.get(row.targetId) ?? row.targetId}</td>
                <td className="num">{formatMs(row.rttMsP50)}</td>
                <td className="num">{formatMs(row.rttMsP95)}</td>
                <td className="num">{formatMs(row.jitterMs)}</td>
                <td className="num">{loss(row.lossPct)}</td>
                <td className="num">{throughput(row.throughputKbps)}</td>
                <td>
                  <span className={`grade grade-${row.grade ?? 'none'}`} title={row.summary}>
                    {row.grade ?? 'not measured'}
                  </span>
                  <span className="visually-hidden"> — {row.summary}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
