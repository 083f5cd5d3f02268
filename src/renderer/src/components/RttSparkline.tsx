import { formatMs } from './format';

const WIDTH = 96;
const HEIGHT = 24;
const PAD = 3;

/**
 * A server's median RTT over its recent history, one mark per measured step: a line between marks
 * and a dot on each, so one or two measurements still draw something. Its words are the alt text.
 */
export function RttSparkline({
  points,
  server,
  window,
}: {
  points: ReadonlyArray<{ at: string; rttP50: number | null }>;
  server: string;
  window?: string;
}) {
  const measured = points
    .map((point, index) => ({ index, rtt: point.rttP50 }))
    .filter((p): p is { index: number; rtt: number } => p.rtt !== null);
  const over = window ? ` over the ${window}` : '';
  if (measured.length === 0)
    return (
      <span className="muted" data-testid="sparkline-empty">
        —<span className="visually-hidden"> no round-trip time measured{over}</span>
      </span>
    );
  const rtts = measured.map((p) => p.rtt);
  const low = Math.min(...rtts);
  const high = Math.max(...rtts);
  const span = points.length > 1 ? points.length - 1 : 1;
  const x = (index: number) => (points.length > 1 ? PAD + (index / span) * (WIDTH - 2 * PAD) : WIDTH / 2);
  const y = (rtt: number) =>
    high === low ? HEIGHT / 2 : HEIGHT - PAD - ((rtt - low) / (high - low)) * (HEIGHT - 2 * PAD);
  const newest = rtts.at(-1) ?? null;
  const label =
    `Round-trip time of ${server}${over}: ${measured.length} ${measured.length === 1 ? 'measurement' : 'measurements'}` +
    (high === low
      ? `, ${formatMs(low)}`
      : `, from ${formatMs(low)} to ${formatMs(high)}, newest ${formatMs(newest)}`);
  return (
    <svg
      className="sparkline"
      width={WIDTH}
      height={HEIGHT}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={label}
      data-testid="sparkline"
    >
      <title>{label}</title>
      {measured.length > 1 && (
        <polyline className="rtt-line" points={measured.map((p) => `${x(p.index)},${y(p.rtt)}`).join(' ')} />
      )}
      {measured.map((p) => (
        <circle
          key={p.index}
          className="rtt-dot"
          cx={x(p.index)}
          cy={y(p.rtt)}
          r={2.5}
          data-testid="chart-mark"
        />
      ))}
    </svg>
  );
}
