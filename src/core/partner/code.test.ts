import { describe, expect, it } from 'vitest';
import { PARTNER_CODE_PATTERN } from '../../contract/partner';
import { TriageError } from '../errors';
import { deriveKeys, newPartnerCode, parsePartnerCode, seal, unseal } from './code';

describe('partner codes', () => {
  it('are 8 symbols of Crockford base32, XXXX-XXXX, and differ every time', () => {
    const codes = new Set(Array.from({ length: 500 }, () => newPartnerCode()));
    expect(codes.size).toBe(500);
    for (const code of codes) expect(code).toMatch(PARTNER_CODE_PATTERN);
    // no letters that read as digits (I, L, O) and no U
    expect([...codes].join('')).not.toMatch(/[ILOU]/);
  });

  it('forgive case, spaces, a missing dash and look-alike letters', () => {
    expect(parsePartnerCode(' 7kq2 m9xd ')).toBe('7KQ2-M9XD');
    expect(parsePartnerCode('7kq2m9xd')).toBe('7KQ2-M9XD');
    expect(parsePartnerCode('OI2L-ABCD')).toBe('0121-ABCD');
  });

  it('refuse anything else with a message that says what a code looks like', () => {
    for (const bad of ['', 'ABCD', 'ABCD-EFGH-1', 'ABCD-EFGU', 'ABC!-EFGH']) {
      expect(() => parsePartnerCode(bad)).toThrow(TriageError);
      expect(() => parsePartnerCode(bad)).toThrow(/is not a partner code: a code is 8 letters and digits/);
    }
  });
});

describe('keys derived from a code', () => {
  it('are the same on both sides and reveal nothing of the code', async () => {
    const [a, b, other] = await Promise.all([
      deriveKeys('7KQ2-M9XD'),
      deriveKeys('7KQ2-M9XD'),
      deriveKeys('7KQ2-M9XE'),
    ]);
    expect(a.rendezvousId).toBe(b.rendezvousId);
    expect(a.correlationId).toBe(b.correlationId);
    expect(a.key.equals(b.key)).toBe(true);
    expect(a.rendezvousId).not.toBe(other.rendezvousId);
    expect(a.correlationId).toMatch(/^partner-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    for (const text of [a.rendezvousId, a.correlationId]) expect(text.toUpperCase()).not.toContain('7KQ2');
  });

  it('seal messages only the same code opens; tampering and garbage are refused', async () => {
    const keys = await deriveKeys('7KQ2-M9XD');
    const wrong = await deriveKeys('7KQ2-M9XE');
    const sealed = seal(keys, '{"hello":"partner"}');
    expect(sealed).not.toContain('hello');
    expect(unseal(keys, sealed)).toBe('{"hello":"partner"}');
    expect(unseal(wrong, sealed)).toBeNull();
    // Every single-bit flip of the ciphertext or tag is refused (flip decoded bytes, not base64 text,
    // so each case really changes what is sealed).
    const [version, iv, body] = sealed.split('.') as [string, string, string];
    const bytes = Buffer.from(body, 'base64url');
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      const flipped = Buffer.from(bytes);
      flipped[bit >> 3] = (flipped[bit >> 3] as number) ^ (1 << (bit & 7));
      expect(unseal(keys, `${version}.${iv}.${flipped.toString('base64url')}`), `bit ${bit}`).toBeNull();
    }
    // A text that decodes to the same bytes through unused base64 bits is not accepted either.
    const last = body.at(-1) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1] as string;
    expect(unseal(keys, `${version}.${iv}.${body.slice(0, -1)}${sibling}`)).toBeNull();
    for (const garbage of [null, 42, '', 'p1..', 'p1.AAAA.BBBB', 'x'.repeat(300_000)])
      expect(unseal(keys, garbage)).toBeNull();
  });
});
