import { describe, expect, it } from 'vitest';
import { FORMATTER_CACHE_LIMIT, cachedFormatters, localTime } from './local-time';

describe('localTime', () => {
  it('gives the local date and minute of day', () => {
    const at = Date.UTC(2025, 5, 4, 22, 30);
    expect(localTime(at, 'UTC')).toEqual({ date: '2025-06-04', minute: 22 * 60 + 30 });
    expect(localTime(at, 'Europe/Berlin')).toEqual({ date: '2025-06-05', minute: 30 });
  });

  it('keeps a bounded number of formatters whatever spellings callers use', () => {
    const at = Date.UTC(2025, 0, 1, 12, 0);
    // Intl takes zone names in any case: 'europe/berlin', 'EUROPE/berlin', … are all valid spellings
    const spellings = Array.from({ length: 3 * FORMATTER_CACHE_LIMIT }, (_, i) => {
      let bit = 0;
      return [...'europe/berlin']
        .map((c) => (c === '/' ? c : (i >> bit++) & 1 ? c.toUpperCase() : c))
        .join('');
    });
    expect(new Set(spellings).size).toBe(3 * FORMATTER_CACHE_LIMIT);
    for (const zone of [...spellings, 'UTC', 'utc', 'Utc'])
      expect(localTime(at, zone)).toEqual({
        date: '2025-01-01',
        minute: zone.toLowerCase() === 'utc' ? 720 : 780,
      });
    expect(cachedFormatters()).toBeLessThanOrEqual(FORMATTER_CACHE_LIMIT);
  });
});
