import { describe, expect, it } from 'vitest';
import { formatDay, formatTime, splitMoments } from '../../src/renderer/src/components/format';

describe('the renderer writes moments one way (components/format.ts)', () => {
  it('names the zone and keeps an unreadable value as given', () => {
    expect(formatTime('2026-12-07T17:05:00.000Z')).toMatch(/2026.*\d{2}:\d{2}.*\b([A-Z]{2,5}|GMT[+-]\d+)$/);
    expect(formatTime('not a time')).toBe('not a time');
    expect(formatDay('2026-12-07')).toMatch(/7/);
    expect(formatDay('someday')).toBe('someday');
  });

  it('cuts an engine sentence at its ISO moments, so each is shown once, formatted', () => {
    expect(
      splitMoments('Outage (everything) from 2026-12-07T00:00:52.137Z to 2026-12-07T09:00:00Z; recovery 0 s'),
    ).toEqual([
      { text: 'Outage (everything) from ' },
      { iso: '2026-12-07T00:00:52.137Z' },
      { text: ' to ' },
      { iso: '2026-12-07T09:00:00Z' },
      { text: '; recovery 0 s' },
    ]);
    expect(splitMoments('no moment on 2026-12-07')).toEqual([{ text: 'no moment on 2026-12-07' }]);
  });
});
