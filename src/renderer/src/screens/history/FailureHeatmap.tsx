import type { CSSProperties } from 'react';
import type { HistoryCharts } from '../../../../contract';
import { formatDay, formatPercent } from '../../components/format';

const HOURS = Array.from({ length: 24 }, (_, hour) => hour);
const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Hour of day × day: each cell is the share of failed attempts of every server in that local hour.
 * A nightly maintenance window shows as a dark band across the same hours of several days.
 */
export function FailureHeatmap({
  heatmap,
  timeZone,
}: {
  heatmap: HistoryCharts['heatmap'];
  timeZone: string;
}) {
  const cells = new Map(heatmap.cells.map((cell) => [`${cell.date} ${cell.hour}`, cell]));
  return (
    <div className="table-scroll">
      <table className="heatmap" data-testid="heatmap">
        <caption>
          Failed attempts by hour of day ({timeZone}) and day. Darker is more failures; empty cells had no
          attempts.
        </caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            {HOURS.map((hour) => (
              <th scope="col" key={hour} className="hour">
                <span aria-hidden="true">{hour % 3 === 0 ? pad(hour) : ''}</span>
                <span className="visually-hidden">{`${pad(hour)}:00`}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {heatmap.dates.map((date) => (
            <tr key={date}>
              <th scope="row" className="day">
                <span title={date}>{formatDay(date)}</span>
              </th>
              {HOURS.map((hour) => {
                const cell = cells.get(`${date} ${hour}`);
                const rate = cell && cell.attempts > 0 ? cell.failures / cell.attempts : null;
                const text =
                  rate === null
                    ? 'no attempts'
                    : `${cell?.failures} of ${cell?.attempts} failed (${formatPercent(rate)})`;
                return (
                  <td
                    key={hour}
                    className={rate === null ? 'cell empty-cell' : 'cell'}
                    style={rate === null ? undefined : ({ '--rate': rate } as CSSProperties)}
                    title={`${formatDay(date)} ${pad(hour)}:00 – ${text}`}
                    data-testid="heatmap-cell"
                    data-date={date}
                    data-hour={hour}
                    data-rate={rate ?? ''}
                  >
                    <span className="visually-hidden">{text}</span>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
