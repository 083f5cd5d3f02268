import { describe, expect, it } from 'vitest';
import { serverText } from './server-text';

describe('serverText', () => {
  it('drops padding NULs, control bytes and bidi overrides, and folds white space', () => {
    expect(serverText('Unsupported address family\u0000\u0000')).toBe('Unsupported address family');
    expect(serverText('  Allocation\tMismatch\r\n ')).toBe('Allocation Mismatch');
    expect(serverText('\u001b[2JUnauthorized\u0085\u202e')).toBe('[2JUnauthorized');
    expect(serverText('\u0000\u0000')).toBe('');
  });

  it('cuts a long phrase to the limit, marking the cut', () => {
    const long = serverText('x'.repeat(500));
    expect(long).toHaveLength(127);
    expect(long.endsWith('…')).toBe(true);
    expect(serverText('short', 10)).toBe('short');
  });
});
