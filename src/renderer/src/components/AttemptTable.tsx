import type { Report } from '../../../contract';
import { formatMs } from './format';

/** Every attempt of the run, for whoever needs the protocol-level detail. */
export function AttemptTable({ report }: { report: Report }) {
  const { cleanup } = report;
  return (
    <div className="details">
      <p className="details-meta">
        Run <span className="mono">{report.runId}</span> took {formatMs(report.durationMs)}. Resources opened{' '}
        {cleanup.opened}, released {cleanup.released}, leaked {cleanup.leaked}.
      </p>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Target</th>
              <th scope="col">Probe</th>
              <th scope="col" className="num">
                #
              </th>
              <th scope="col">Outcome</th>
              <th scope="col">Stage</th>
              <th scope="col">Error</th>
              <th scope="col" className="num">
                Duration
              </th>
            </tr>
          </thead>
          <tbody>
            {report.attempts.map((attempt) => (
              <tr key={attempt.id}>
                <td className="mono">{attempt.targetId}</td>
                <td>{attempt.probe}</td>
                <td className="num">{attempt.attempt}</td>
                <td>
                  <span className={`status outcome-${attempt.outcome}`}>{attempt.outcome}</span>
                </td>
                <td>{attempt.stage}</td>
                <td>{attempt.errorClass ? `${attempt.errorClass}: ${attempt.errorMessage ?? ''}` : '—'}</td>
                <td className="num">{formatMs(attempt.durationMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
