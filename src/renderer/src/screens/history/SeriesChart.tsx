import type { TargetSeries } from '../../../../contract';
import { formatMs, formatPercent, formatTime } from '../../components/format';

const WIDTH = 480;
const HEIGHT = 64;

function successSummary(series: TargetSeries): {
  overall: number | null;
  worst: { rate: number; at: string } | null;
} {
  let attempts = 0;
  let failures = 0;
  let worst: { rate: number; at: string } | null = null;
  for (const point of series.points) {
    attempts += point.attempts;
    failures += point.failures;
    if (point.attempts === 0) continue;
    const rate = 1 - point.failures / point.attempts;
    if (!worst || rate < worst.rate) worst = { rate, at: point.at };
  }
  return { overall: attempts ? 1 - failures / attempts : null, worst };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? null;
}

/** One server over time: success rate per step (bars) and median RTT (line), plain SVG. */
export function SeriesChart({ series }: { series: TargetSeries }) {
  const n = Math.max(series.points.length, 1);
  const step = WIDTH / n;
  const { overall, worst } = successSummary(series);
  const rtts = series.points.map((p) => p.rttP50).filter((v): v is number => v !== null);
  const maxRtt = Math.max(...rtts, 1);
  const rttPath = series.points
    .map((p, i) =>
      p.rttP50 === null ? null : `${(i + 0.5) * step},${HEIGHT - 4 - (p.rttP50 / maxRtt) * (HEIGHT - 8)}`,
    )
    .filter((v): v is string => v !== null);
  const first = series.points[0]?.at;
  const last = series.points.at(-1)?.at;
  const successLabel =
    overall === null
      ? `${series.url}: no attempts in this window`
      : `${series.url}: ${formatPercent(overall)} of attempts succeeded` +
        (worst && worst.rate < 1 ? `; lowest ${formatPercent(worst.rate)} from ${formatTime(worst.at)}` : '');
  const rttLabel = rtts.length
    ? `${series.url}: median round-trip time ${formatMs(median(rtts))}, highest ${formatMs(maxRtt)}`
    : `${series.url}: no round-trip times measured`;

  return (
    <figure className="series" data-testid="series" data-target={series.targetId}>
      <figcaption>
        <span className="mono">
          {series.url === 'local:machine' ? 'this machine (local WebRTC test)' : series.url}
        </span>
        <span className="sub">
          {series.kind} · {series.layer} · success {overall === null ? '—' : formatPercent(overall)}
          {rtts.length ? ` · RTT p50 ${formatMs(median(rtts))}` : ''}
        </span>
      </figcaption>
      <div className="series-charts">
        <div>
          <p className="chart-title" aria-hidden="true">
            Success rate
          </p>
          <svg
            viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
            preserveAspectRatio="none"
            role="img"
            aria-label={successLabel}
          >
            <rect className="chart-bg" x="0" y="0" width={WIDTH} height={HEIGHT} />
            {series.points.map((point, i) => {
              if (point.attempts === 0) return null;
              const rate = 1 - point.failures / point.attempts;
              const h = Math.max(2, rate * HEIGHT);
              return (
                <rect
                  key={point.at}
                  className={rate >= 0.999 ? 'bar-good' : rate >= 0.5 ? 'bar-warn' : 'bar-bad'}
                  x={i * step + 0.5}
                  y={HEIGHT - h}
                  width={Math.max(step - 1, 1)}
                  height={h}
                >
                  <title>{`${formatTime(point.at)}: ${point.attempts - point.failures} of ${point.attempts} succeeded`}</title>
                </rect>
              );
            })}
          </svg>
        </div>
        <div>
          <p className="chart-title" aria-hidden="true">
            RTT p50 (max {formatMs(rtts.length ? maxRtt : null)})
          </p>
          <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" role="img" aria-label={rttLabel}>
            <rect className="chart-bg" x="0" y="0" width={WIDTH} height={HEIGHT} />
            {rttPath.length > 0 && (
              <polyline className="rtt-line" points={rttPath.join(' ')} vectorEffect="non-scaling-stroke" />
            )}
          </svg>
        </div>
      </div>
      {first && last && (
        <p className="chart-axis" aria-hidden="true">
          <span>{formatTime(first)}</span>
          <span>{formatTime(last)}</span>
        </p>
      )}
    </figure>
  );
}
