import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as stun from 'stun';
import {
  Attr,
  decodeMessage,
  encodeMessage,
  errorCode,
  fingerprintValid,
  mappedAddress,
  MessageType,
  StunDecodeError,
} from './message';

function xorAddressReply(id: Buffer, address: string, port: number): Buffer {
  // built with npm `stun` so our decoder is checked against an independent encoder
  const message = stun.createMessage(stun.constants.STUN_BINDING_RESPONSE, id);
  message.addXorAddress(address, port);
  message.addFingerprint();
  return message.toBuffer();
}

describe('STUN message codec', () => {
  it('decodes an IPv4 XOR-MAPPED-ADDRESS written by npm stun, with a valid FINGERPRINT', () => {
    const id = randomBytes(12);
    const message = decodeMessage(xorAddressReply(id, '192.0.2.33', 40001));
    expect(message.type).toBe(MessageType.BindingSuccess);
    expect(message.transactionId.equals(id)).toBe(true);
    expect(mappedAddress(message)).toEqual({ family: 'IPv4', address: '192.0.2.33', port: 40001 });
    expect(fingerprintValid(message)).toBe(true);
  });

  it('decodes IPv6 addresses', () => {
    const id = randomBytes(12);
    const message = decodeMessage(xorAddressReply(id, '2001:db8::1', 3478));
    expect(mappedAddress(message)).toEqual({ family: 'IPv6', address: '2001:db8::1', port: 3478 });
  });

  it('round-trips a request with FINGERPRINT, readable by npm stun', () => {
    const id = randomBytes(12);
    const encoded = encodeMessage(MessageType.BindingRequest, id, [], true);
    expect(fingerprintValid(decodeMessage(encoded))).toBe(true);
    const theirs = stun.decode(encoded);
    expect(theirs.type).toBe(MessageType.BindingRequest);
    expect(theirs.transactionId.equals(id)).toBe(true);
  });

  it('detects a flipped bit through FINGERPRINT', () => {
    const encoded = xorAddressReply(randomBytes(12), '192.0.2.1', 1);
    encoded[25] = (encoded[25] as number) ^ 0x01;
    expect(fingerprintValid(decodeMessage(encoded))).toBe(false);
  });

  it('reads ERROR-CODE', () => {
    const value = Buffer.concat([Buffer.from([0, 0, 4, 1]), Buffer.from('Unauthorized')]);
    const message = decodeMessage(
      encodeMessage(MessageType.BindingError, randomBytes(12), [{ type: Attr.ErrorCode, value }]),
    );
    expect(errorCode(message)).toEqual({ code: 401, reason: 'Unauthorized' });
  });

  it('reads a reason phrase as data: padding NULs and control bytes never reach a message', () => {
    // coturn pads the phrase of its IPv6 440 with NULs inside the attribute
    const phrase = Buffer.from('Unsupported address family\u0000\u0000\u001b[2J', 'utf8');
    const value = Buffer.concat([Buffer.from([0, 0, 4, 40]), phrase]);
    const message = decodeMessage(
      encodeMessage(MessageType.AllocateError, randomBytes(12), [{ type: Attr.ErrorCode, value }]),
    );
    expect(errorCode(message)).toEqual({ code: 440, reason: 'Unsupported address family[2J' });
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['shorter than a header', Buffer.alloc(19)],
    [
      'wrong magic cookie',
      (() => {
        const b = encodeMessage(1, randomBytes(12));
        b.writeUInt32BE(0xdeadbeef, 4);
        return b;
      })(),
    ],
    [
      'top bits set',
      (() => {
        const b = encodeMessage(1, randomBytes(12));
        b[0] = 0xc0;
        return b;
      })(),
    ],
    [
      'length past the datagram',
      (() => {
        const b = encodeMessage(1, randomBytes(12));
        b.writeUInt16BE(64, 2);
        return b;
      })(),
    ],
    [
      'length not a multiple of 4',
      (() => {
        const b = Buffer.concat([encodeMessage(1, randomBytes(12)), Buffer.alloc(2)]);
        b.writeUInt16BE(2, 2);
        return b;
      })(),
    ],
    [
      'attribute past the end',
      (() => {
        const b = encodeMessage(1, randomBytes(12), [{ type: 0x20, value: Buffer.alloc(8) }]);
        b.writeUInt16BE(200, 22);
        return b;
      })(),
    ],
  ])('refuses a message that is %s', (_what, buf) => {
    expect(() => decodeMessage(buf)).toThrow(StunDecodeError);
  });

  it('refuses an address attribute of the wrong size when read', () => {
    const message = decodeMessage(
      encodeMessage(MessageType.BindingSuccess, randomBytes(12), [
        { type: Attr.XorMappedAddress, value: Buffer.from([0, 1, 0, 0]) },
      ]),
    );
    expect(() => mappedAddress(message)).toThrow(StunDecodeError);
  });
});
