import { describe, expect, it } from 'vitest';
import { timeOrderedId } from './ids';

describe('timeOrderedId (UUIDv7)', () => {
  it('is a version-7, RFC 9562 variant UUID carrying its millisecond', () => {
    const at = Date.parse('2026-01-01T00:00:00.123Z');
    const id = timeOrderedId(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('sorts in creation order, within a millisecond too, and never repeats', () => {
    const at = Date.parse('2026-01-01T00:00:00Z');
    const ids = [
      ...Array.from({ length: 500 }, () => timeOrderedId(at)),
      ...Array.from({ length: 500 }, () => timeOrderedId(at + 1)),
    ];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
