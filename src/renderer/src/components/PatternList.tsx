import type { Pattern } from '../../../contract';
import { formatTime } from './format';

function when(pattern: Pattern): string | null {
  if (pattern.window) {
    const dates = pattern.dates?.length ? ` on ${pattern.dates.join(', ')}` : '';
    return `${pattern.window}${pattern.timeZone ? ` (${pattern.timeZone})` : ''}${dates}`;
  }
  if (pattern.from)
    return `${formatTime(pattern.from)} – ${pattern.to ? formatTime(pattern.to) : 'still going on'}`;
  return null;
}

/** Detected patterns (outages, recurring windows, flapping…) with their dates. */
export function PatternList({ patterns, empty }: { patterns: Pattern[]; empty: string }) {
  if (patterns.length === 0) return <p className="empty">{empty}</p>;
  return (
    <ul className="patterns">
      {patterns.map((pattern, index) => {
        const dates = when(pattern);
        return (
          <li
            key={`${pattern.kind}-${pattern.scope}-${index}`}
            data-testid="pattern"
            data-kind={pattern.kind}
          >
            <span className={`pattern-kind level-${pattern.level ?? 'info'}`}>
              {pattern.kind.replace(/-/g, ' ')}
            </span>
            <span className="pattern-summary">{pattern.summary}</span>
            {dates && <span className="pattern-dates">{dates}</span>}
          </li>
        );
      })}
    </ul>
  );
}
