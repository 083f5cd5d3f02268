import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AlertEpisodes, type Condition } from '../../src/core/monitor';

const down: Condition = {
  key: 'target:gun',
  title: 'GUN relay is down',
  message: 'refused',
  targetId: 'gun',
};
const t0 = Date.parse('2026-01-01T00:00:00Z');
const at = (cycle: number) => new Date(t0 + cycle * 60_000);

/** Feeds one bad (true) or good (false) observation per cycle; returns what was announced, in order. */
function run(episodes: AlertEpisodes, cycles: boolean[]): Array<'alert' | 'recovery'> {
  const said: Array<'alert' | 'recovery'> = [];
  cycles.forEach((bad, i) => {
    const changes = episodes.update(bad ? [down] : [], at(i));
    for (const _ of changes.raised) said.push('alert');
    for (const _ of changes.recovered) said.push('recovery');
  });
  return said;
}

function longestRun(cycles: boolean[]): number {
  let longest = 0;
  let current = 0;
  for (const bad of cycles) {
    current = bad ? current + 1 : 0;
    longest = Math.max(longest, current);
  }
  return longest;
}

describe('alert episodes (hysteresis: one alert and one recovery per episode)', () => {
  it('raises after raiseAfter bad cycles, once, and recovers after clearAfter good ones, once', () => {
    const episodes = new AlertEpisodes({ raiseAfter: 2, clearAfter: 2 });
    expect(episodes.update([down], at(0)).raised).toEqual([]);
    const second = episodes.update([down], at(1), { runId: 'run-2' });
    expect(second.raised).toHaveLength(1);
    expect(second.raised[0]).toMatchObject({
      key: 'target:gun',
      state: 'alerting',
      targetId: 'gun',
      since: at(0).toISOString(),
      raisedAt: at(1).toISOString(),
      runId: 'run-2',
    });
    for (let i = 2; i < 10; i++) expect(episodes.update([down], at(i)).raised).toEqual([]);
    expect(episodes.active().map((a) => a.key)).toEqual(['target:gun']);
    expect(episodes.update([], at(10)).recovered).toEqual([]);
    const back = episodes.update([], at(11));
    expect(back.recovered).toHaveLength(1);
    expect(back.recovered[0]).toMatchObject({
      state: 'recovered',
      since: at(0).toISOString(),
      recoveredAt: at(11).toISOString(),
    });
    expect(episodes.active()).toEqual([]);
  });

  it('stays quiet while a raised condition flaps, and forgets a blip shorter than raiseAfter', () => {
    const episodes = new AlertEpisodes({ raiseAfter: 2, clearAfter: 2 });
    // blip, blip, then an episode that flaps bad/good/bad/good before settling good
    const said = run(episodes, [
      true,
      false,
      true,
      false,
      true,
      true,
      false,
      true,
      false,
      true,
      false,
      false,
    ]);
    expect(said).toEqual(['alert', 'recovery']);
  });

  it('a cycle without evidence about a key (untested, failed diagnosis) changes nothing for it', () => {
    const episodes = new AlertEpisodes({ raiseAfter: 1, clearAfter: 1 });
    expect(episodes.update([down], at(0)).raised).toHaveLength(1);
    const blind = episodes.update([], at(1), { observed: (key) => key !== 'target:gun' });
    expect(blind.recovered).toEqual([]);
    expect(episodes.active()).toHaveLength(1);
    expect(episodes.update([], at(2)).recovered).toHaveLength(1);
  });

  it('keeps episodes of different keys apart', () => {
    const episodes = new AlertEpisodes({ raiseAfter: 1, clearAfter: 1 });
    const stun: Condition = { key: 'target:stun', title: 'STUN is down', message: 'timeout' };
    expect(episodes.update([down, stun], at(0)).raised.map((a) => a.key)).toEqual([
      'target:gun',
      'target:stun',
    ]);
    const changes = episodes.update([stun], at(1));
    expect(changes.recovered.map((a) => a.key)).toEqual(['target:gun']);
    expect(episodes.active().map((a) => a.key)).toEqual(['target:stun']);
  });

  it('refuses rules that would make every cycle an episode edge', () => {
    expect(() => new AlertEpisodes({ raiseAfter: 0, clearAfter: 1 })).toThrow(/raiseAfter/);
    expect(() => new AlertEpisodes({ raiseAfter: 1, clearAfter: 1.5 })).toThrow(/clearAfter/);
  });

  it('for any sequence of cycles: alerts and recoveries alternate, starting with an alert', () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { maxLength: 200 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        (cycles, raiseAfter, clearAfter) => {
          const said = run(new AlertEpisodes({ raiseAfter, clearAfter }), cycles);
          said.forEach((s, i) => expect(s).toBe(i % 2 === 0 ? 'alert' : 'recovery'));
          // An alert needs raiseAfter bad cycles in a row somewhere before it.
          const longestBad = longestRun(cycles);
          if (said.length > 0) expect(longestBad).toBeGreaterThanOrEqual(raiseAfter);
          else expect(longestBad).toBeLessThan(raiseAfter);
        },
      ),
      { seed: 9, numRuns: 500 },
    );
  });
});
