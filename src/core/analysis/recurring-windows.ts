import type { Pattern } from '../../contract';
import { clock, localTime } from './local-time';
import type { Outage } from './outage';
import { THRESHOLDS } from './thresholds';

/** Outages on two or more local dates that start and end at about the same local time of day. */
export function recurringWindows(outages: readonly Outage[], timeZone: string): Pattern[] {
  const tolerance = THRESHOLDS.recurringToleranceMin;
  const near = (a: number, b: number) => Math.min(Math.abs(a - b), 1440 - Math.abs(a - b)) <= tolerance;
  const seen = outages.map((o) => ({
    outage: o,
    start: localTime(o.start, timeZone),
    end: o.end !== null ? localTime(o.end, timeZone) : null,
  }));
  const used = new Set<number>();
  const patterns: Pattern[] = [];
  for (let i = 0; i < seen.length; i++) {
    const first = seen[i];
    if (!first || used.has(i)) continue;
    const group = [first];
    for (let j = i + 1; j < seen.length; j++) {
      const other = seen[j];
      if (!other || used.has(j) || other.outage.scope !== first.outage.scope) continue;
      const endsMatch = !first.end || !other.end || near(first.end.minute, other.end.minute);
      if (near(first.start.minute, other.start.minute) && endsMatch) {
        group.push(other);
        used.add(j);
      }
    }
    const dates = [...new Set(group.map((g) => g.start.date))].sort();
    if (dates.length < 2) continue;
    const startMin = Math.min(...group.map((g) => g.start.minute));
    const ends = group.map((g) => g.end?.minute).filter((m): m is number => m !== undefined);
    const window = `${clock(startMin)}–${ends.length ? clock(Math.max(...ends)) : 'ongoing'}`;
    patterns.push({
      kind: 'recurring-window',
      scope: first.outage.scope,
      summary: `Recurring outage window ${window} (${timeZone}) on ${dates.length} days: ${dates.join(', ')} — a maintenance-window pattern, typical of infrastructure, not of the app`,
      window,
      dates,
      timeZone,
      evidence: group.map((g) => ({
        summary: `${g.start.date}: ${clock(g.start.minute)}–${g.end ? clock(g.end.minute) : 'ongoing'} (${g.outage.failures} of ${g.outage.attempts} failed)`,
      })),
    });
  }
  return patterns;
}
