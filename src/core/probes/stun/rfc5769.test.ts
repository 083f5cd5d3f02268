import { describe, expect, it } from 'vitest';
import {
  LONG_TERM,
  SAMPLE_IPV4_RESPONSE,
  SAMPLE_IPV6_RESPONSE,
  SAMPLE_REQUEST,
  SAMPLE_REQUEST_LONG_TERM,
  SHORT_TERM_PASSWORD,
} from '../../../../tests/fixtures/rfc5769';
import {
  Attr,
  decodeMessage,
  encodeMessage,
  fingerprintValid,
  integrityValid,
  longTermKey,
  mappedAddress,
  software,
  StunDecodeError,
} from './message';

const shortTermKey = Buffer.from(SHORT_TERM_PASSWORD, 'utf8');
const longKey = longTermKey(LONG_TERM.username, LONG_TERM.realm, LONG_TERM.password);

const VECTORS = [
  { name: '2.1 sample request', bytes: SAMPLE_REQUEST, key: shortTermKey, fingerprint: true },
  { name: '2.2 IPv4 response', bytes: SAMPLE_IPV4_RESPONSE, key: shortTermKey, fingerprint: true },
  { name: '2.3 IPv6 response', bytes: SAMPLE_IPV6_RESPONSE, key: shortTermKey, fingerprint: true },
  { name: '2.4 long-term request', bytes: SAMPLE_REQUEST_LONG_TERM, key: longKey, fingerprint: false },
];

/** What a client accepts: it decodes, its FINGERPRINT (if any) matches and its MESSAGE-INTEGRITY verifies. */
function valid(bytes: Buffer, key: Buffer): boolean {
  try {
    const message = decodeMessage(bytes);
    return fingerprintValid(message) && integrityValid(message, key);
  } catch (error) {
    if (error instanceof StunDecodeError) return false;
    throw error;
  }
}

describe('RFC 5769 test vectors', () => {
  it.each(VECTORS)(
    '$name: decodes, MESSAGE-INTEGRITY and FINGERPRINT verify',
    ({ bytes, key, fingerprint }) => {
      const message = decodeMessage(bytes);
      expect(integrityValid(message, key)).toBe(true);
      expect(fingerprintValid(message)).toBe(true);
      expect(message.attributes.some((a) => a.type === Attr.Fingerprint)).toBe(fingerprint);
    },
  );

  it('2.2 and 2.3: the XOR-MAPPED-ADDRESS decodes to the documented address', () => {
    expect(mappedAddress(decodeMessage(SAMPLE_IPV4_RESPONSE))).toEqual({
      family: 'IPv4',
      address: '192.0.2.1',
      port: 32853,
    });
    expect(mappedAddress(decodeMessage(SAMPLE_IPV6_RESPONSE))).toEqual({
      family: 'IPv6',
      address: '2001:db8:1234:5678:11:2233:4455:6677',
      port: 32853,
    });
    expect(software(decodeMessage(SAMPLE_IPV4_RESPONSE))).toBe('test vector');
  });

  it.each(VECTORS)('$name: re-encoding is byte-identical', ({ bytes, key, fingerprint }) => {
    const message = decodeMessage(bytes);
    const body = message.attributes.filter(
      (a) => a.type !== Attr.MessageIntegrity && a.type !== Attr.Fingerprint,
    );
    const again = encodeMessage(message.type, message.transactionId, body, {
      integrityKey: key,
      fingerprint,
    });
    expect(again.toString('hex')).toBe(bytes.toString('hex'));
  });

  it.each(VECTORS)('$name: every one-bit flip fails validation', ({ bytes, key }) => {
    let accepted = 0;
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      const flipped = Buffer.from(bytes);
      flipped[bit >> 3] = (flipped[bit >> 3] as number) ^ (1 << (bit & 7));
      if (valid(flipped, key)) accepted++;
    }
    expect(accepted).toBe(0);
  });
});
