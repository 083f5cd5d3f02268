import type { MonitorAlert } from '../../contract';

/** Something wrong seen in one cycle: a server down, leaked resources, a diagnosis that failed. */
export interface Condition {
  key: string;
  title: string;
  message: string;
  targetId?: string;
}

export interface EpisodeRules {
  /** Consecutive bad cycles before an episode's alert is raised (default 2). */
  raiseAfter: number;
  /** Consecutive good cycles before it recovers (default 2). */
  clearAfter: number;
}

export const DEFAULT_EPISODE_RULES: EpisodeRules = { raiseAfter: 2, clearAfter: 2 };

interface Track {
  bad: number;
  good: number;
  firstBadAt: Date | null;
  alert: MonitorAlert | null;
  latest: Condition;
}

export interface EpisodeChanges {
  raised: MonitorAlert[];
  recovered: MonitorAlert[];
}

/**
 * Alert episodes with hysteresis. A condition must hold `raiseAfter` cycles in a row to raise its
 * alert, and be clear `clearAfter` cycles in a row to recover; in between, nothing is said, however
 * the condition flaps. So each episode gives exactly one alert and one recovery — no edge-trigger spam.
 */
export class AlertEpisodes {
  private readonly tracks = new Map<string, Track>();

  constructor(private readonly rules: EpisodeRules = DEFAULT_EPISODE_RULES) {
    if (!Number.isInteger(rules.raiseAfter) || rules.raiseAfter < 1)
      throw new RangeError('raiseAfter must be a whole number of cycles >= 1');
    if (!Number.isInteger(rules.clearAfter) || rules.clearAfter < 1)
      throw new RangeError('clearAfter must be a whole number of cycles >= 1');
  }

  /**
   * One cycle's observations. `observed(key)` says whether this cycle had evidence about a key at
   * all: a cancelled run or an untested target is neither good nor bad, so it changes nothing.
   */
  update(
    conditions: readonly Condition[],
    at: Date,
    options: { runId?: string; observed?: (key: string) => boolean } = {},
  ): EpisodeChanges {
    const changes: EpisodeChanges = { raised: [], recovered: [] };
    const bad = new Map(conditions.map((c) => [c.key, c]));
    for (const [key, condition] of bad) {
      const track = this.tracks.get(key) ?? {
        bad: 0,
        good: 0,
        firstBadAt: null,
        alert: null,
        latest: condition,
      };
      this.tracks.set(key, track);
      track.latest = condition;
      track.good = 0;
      track.bad++;
      track.firstBadAt ??= at;
      if (!track.alert && track.bad >= this.rules.raiseAfter) {
        track.alert = {
          key,
          state: 'alerting',
          title: condition.title,
          message: condition.message,
          ...(condition.targetId ? { targetId: condition.targetId } : {}),
          since: track.firstBadAt.toISOString(),
          raisedAt: at.toISOString(),
          ...(options.runId ? { runId: options.runId } : {}),
        };
        changes.raised.push({ ...track.alert });
      }
    }
    for (const [key, track] of this.tracks) {
      if (bad.has(key)) continue;
      if (options.observed && !options.observed(key)) continue;
      track.bad = 0;
      track.good++;
      if (!track.alert) {
        // Bad for fewer cycles than raiseAfter, then good: a blip, forgotten.
        this.tracks.delete(key);
        continue;
      }
      if (track.good >= this.rules.clearAfter) {
        changes.recovered.push({
          ...track.alert,
          state: 'recovered',
          title: `Recovered: ${track.alert.title}`,
          message: `${track.alert.title} since ${track.alert.since}; clear again for ${track.good} cycle(s).`,
          recoveredAt: at.toISOString(),
          ...(options.runId ? { runId: options.runId } : {}),
        });
        this.tracks.delete(key);
      }
    }
    return changes;
  }

  /** Episodes going on now (raised and not yet recovered). */
  active(): MonitorAlert[] {
    return [...this.tracks.values()].flatMap((t) => (t.alert ? [{ ...t.alert }] : []));
  }
}
