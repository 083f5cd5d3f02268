import { useState } from 'react';
import type { Pattern } from '../../../contract';
import { formatTime } from './format';

/** What a support engineer needs first: a recurring window or an outage before single alerts. */
const KIND_ORDER = ['recurring-window', 'outage', 'flapping', 'failure-rate', 'consecutive-failures'];
const LEVEL_ORDER = ['likely-outage', 'alert', 'info'];
const SHOWN = 12;

function rank(pattern: Pattern): number {
  const kind = KIND_ORDER.indexOf(pattern.kind);
  const level = LEVEL_ORDER.indexOf(pattern.level ?? 'info');
  return (kind < 0 ? KIND_ORDER.length : kind) * 10 + level;
}

function when(pattern: Pattern): string | null {
  if (pattern.window) {
    const dates = pattern.dates?.length ? ` on ${pattern.dates.join(', ')}` : '';
    return `${pattern.window}${pattern.timeZone ? ` (${pattern.timeZone})` : ''}${dates}`;
  }
  if (pattern.from)
    return `${formatTime(pattern.from)} – ${pattern.to ? formatTime(pattern.to) : 'still going on'}`;
  return null;
}

/** Detected patterns (recurring windows, outages, flapping, alerts) with their dates, most telling first. */
export function PatternList({ patterns, empty }: { patterns: Pattern[]; empty: string }) {
  const [showAll, setShowAll] = useState(false);
  if (patterns.length === 0) return <p className="empty">{empty}</p>;
  const sorted = patterns
    .map((pattern, index) => ({ pattern, index }))
    .sort((a, b) => rank(a.pattern) - rank(b.pattern) || a.index - b.index);
  const shown = showAll ? sorted : sorted.slice(0, SHOWN);
  return (
    <>
      <ul className="patterns">
        {shown.map(({ pattern, index }) => {
          const dates = when(pattern);
          return (
            <li key={index} data-testid="pattern" data-kind={pattern.kind}>
              <span className={`pattern-kind level-${pattern.level ?? 'info'}`}>
                {pattern.kind.replace(/-/g, ' ')}
              </span>
              <span className="pattern-summary">{pattern.summary}</span>
              {dates && <span className="pattern-dates">{dates}</span>}
            </li>
          );
        })}
      </ul>
      {sorted.length > SHOWN && (
        <button
          type="button"
          className="link-button"
          aria-expanded={showAll}
          onClick={() => setShowAll((s) => !s)}
        >
          {showAll ? 'Show fewer patterns' : `Show all ${sorted.length} patterns`}
        </button>
      )}
    </>
  );
}
