import type { TargetSeries } from '../../../../contract';
import { formatMs, formatPercent, formatTime } from '../../components/format';
import { Time } from '../../components/Time';

const WIDTH = 480;
const HEIGHT = 64;
/** Up to this many steps with attempts, each also gets a dot: one or two points stay visible. */
const SPARSE = 24;

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

/**
 * A stepped area from `bottom(i)` up to `top(i)` over each step's full width, so a single step is
 * a block, not a line of no width.
 */
function stepArea(
  n: number,
  step: number,
  top: (i: number) => number,
  bottom: (i: number) => number,
): string {
  const upper: string[] = [];
  const lower: string[] = [];
  for (let i = 0; i < n; i++) {
    upper.push(`${i * step},${top(i)}`, `${(i + 1) * step},${top(i)}`);
    lower.unshift(`${(i + 1) * step},${bottom(i)}`, `${i * step},${bottom(i)}`);
  }
  return `M${upper.join(' L')} L${lower.join(' L')} Z`;
}

/** A dot that stays round in a stretched chart: a zero-length stroke with round caps, not scaled. */
function Dot({ x, y, className, label }: { x: number; y: number; className: string; label: string }) {
  return (
    <path
      className={`chart-dot ${className}`}
      d={`M${x} ${y} h0`}
      vectorEffect="non-scaling-stroke"
      data-testid="chart-mark"
    >
      <title>{label}</title>
    </path>
  );
}

/**
 * One server over time: successes and failures per step as a stacked area, and the median RTT as a
 * line with dots, plain SVG. Each chart is an image whose label says what it shows.
 */
export function SeriesChart({ series }: { series: TargetSeries }) {
  const points = series.points;
  const n = Math.max(points.length, 1);
  const step = WIDTH / n;
  const { overall, worst } = successSummary(series);
  const rtts = points.map((p) => p.rttP50).filter((v): v is number => v !== null);
  const maxRtt = Math.max(...rtts, 1);
  const maxAttempts = Math.max(...points.map((p) => p.attempts), 1);
  const yCount = (count: number) => HEIGHT - (count / maxAttempts) * (HEIGHT - 2);
  const yRtt = (rtt: number) => HEIGHT - 4 - (rtt / maxRtt) * (HEIGHT - 8);
  const withAttempts = points.filter((p) => p.attempts > 0).length;
  const sparse = withAttempts <= SPARSE;
  const rttPath = points
    .map((p, i) => (p.rttP50 === null ? null : `${(i + 0.5) * step},${yRtt(p.rttP50)}`))
    .filter((v): v is string => v !== null);
  const first = points[0]?.at;
  const last = points.at(-1)?.at;
  const url = series.url === 'local:machine' ? 'this machine (local WebRTC test)' : series.url;
  const successLabel =
    overall === null
      ? `${url}: no attempts in this window`
      : `${url}: successes and failures over time; ${formatPercent(overall)} of attempts succeeded` +
        (worst && worst.rate < 1 ? `; lowest ${formatPercent(worst.rate)} from ${formatTime(worst.at)}` : '');
  const rttLabel = rtts.length
    ? `${url}: median round-trip time over time, ${rtts.length} ${rtts.length === 1 ? 'measurement' : 'measurements'}, median ${formatMs(median(rtts))}, highest ${formatMs(maxRtt)}`
    : `${url}: no round-trip times measured`;

  return (
    <figure className="series" data-testid="series" data-target={series.targetId}>
      <figcaption>
        <span className="mono clip" title={series.url}>
          {url}
        </span>
        <span className="sub">
          {series.kind} · {series.layer} · success {overall === null ? '—' : formatPercent(overall)}
          {rtts.length ? ` · RTT p50 ${formatMs(median(rtts))}` : ''}
        </span>
      </figcaption>
      <div className="series-charts">
        <div>
          <p className="chart-title" aria-hidden="true">
            Successes <span className="key key-good" /> and failures <span className="key key-bad" />
          </p>
          <svg
            viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
            preserveAspectRatio="none"
            role="img"
            aria-label={successLabel}
            data-testid="success-chart"
          >
            <rect className="chart-bg" x="0" y="0" width={WIDTH} height={HEIGHT} />
            {withAttempts > 0 && (
              <>
                <path
                  className="area-good"
                  data-testid="area-success"
                  d={stepArea(
                    points.length,
                    step,
                    (i) => yCount(successes(points[i])),
                    () => HEIGHT,
                  )}
                />
                <path
                  className="area-bad"
                  data-testid="area-failure"
                  d={stepArea(
                    points.length,
                    step,
                    (i) => yCount(points[i]?.attempts ?? 0),
                    (i) => yCount(successes(points[i])),
                  )}
                />
              </>
            )}
            {sparse &&
              points.map((p, i) =>
                p.attempts === 0 ? null : (
                  <Dot
                    key={p.at}
                    x={(i + 0.5) * step}
                    y={yCount(p.attempts)}
                    className={p.failures === 0 ? 'dot-good' : 'dot-bad'}
                    label={`${formatTime(p.at)}: ${p.attempts - p.failures} of ${p.attempts} succeeded`}
                  />
                ),
              )}
          </svg>
        </div>
        <div>
          <p className="chart-title" aria-hidden="true">
            RTT p50 (max {formatMs(rtts.length ? maxRtt : null)})
          </p>
          <svg
            viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
            preserveAspectRatio="none"
            role="img"
            aria-label={rttLabel}
            data-testid="rtt-chart"
          >
            <rect className="chart-bg" x="0" y="0" width={WIDTH} height={HEIGHT} />
            {rttPath.length > 1 && (
              <polyline className="rtt-line" points={rttPath.join(' ')} vectorEffect="non-scaling-stroke" />
            )}
            {(sparse || rttPath.length === 1) &&
              points.map((p, i) =>
                p.rttP50 === null ? null : (
                  <Dot
                    key={p.at}
                    x={(i + 0.5) * step}
                    y={yRtt(p.rttP50)}
                    className="dot-rtt"
                    label={`${formatTime(p.at)}: ${formatMs(p.rttP50)}`}
                  />
                ),
              )}
          </svg>
        </div>
      </div>
      {first && last && (
        <p className="chart-axis">
          <Time iso={first} />
          <Time iso={last} />
        </p>
      )}
    </figure>
  );
}

function successes(point: { attempts: number; failures: number } | undefined): number {
  return point ? point.attempts - point.failures : 0;
}
