import { useState } from 'react';
import type { Pattern } from '../../../contract';
import { ISO_MOMENT } from './format';
import { Time, TextWithTimes } from './Time';

/** What a support engineer needs first: a recurring window or an outage before single alerts. */
const KIND_ORDER = ['recurring-window', 'outage', 'flapping', 'failure-rate', 'consecutive-failures'];
const LEVEL_ORDER = ['likely-outage', 'alert', 'info'];
const SHOWN = 12;

function rank(pattern: Pattern): number {
  const kind = KIND_ORDER.indexOf(pattern.kind);
  const level = LEVEL_ORDER.indexOf(pattern.level ?? 'info');
  return (kind < 0 ? KIND_ORDER.length : kind) * 10 + level;
}

/** When it was seen, unless the engine's summary already says it (each moment is shown once). */
function When({ pattern }: { pattern: Pattern }) {
  if (pattern.window) {
    const dates = pattern.dates?.length ? ` on ${pattern.dates.join(', ')}` : '';
    return (
      <span className="pattern-dates">{`${pattern.window}${pattern.timeZone ? ` (${pattern.timeZone})` : ''}${dates}`}</span>
    );
  }
  if (pattern.from && !new RegExp(ISO_MOMENT.source).test(pattern.summary))
    return (
      <span className="pattern-dates">
        <Time iso={pattern.from} /> – {pattern.to ? <Time iso={pattern.to} /> : 'still going on'}
      </span>
    );
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
          return (
            <li key={index} data-testid="pattern" data-kind={pattern.kind}>
              <span className={`pattern-kind level-${pattern.level ?? 'info'}`}>
                {pattern.kind.replace(/-/g, ' ')}
              </span>
              <span className="pattern-summary">
                <TextWithTimes text={pattern.summary} />
              </span>
              <When pattern={pattern} />
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
