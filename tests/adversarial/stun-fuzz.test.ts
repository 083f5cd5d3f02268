import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { stunBindingProbe } from '../../src/core/probes/stun-binding';
import {
  Attr,
  decodeMessage,
  encodeMessage,
  errorCode,
  fingerprintValid,
  integrityValid,
  mappedAddress,
  MessageType,
  plainAddressAttribute,
  software,
  stringAttribute,
  StunDecodeError,
  xorAddressAttribute,
} from '../../src/core/probes/stun/message';
import type { Probe } from '../../src/core/probes/types';
import {
  SAMPLE_IPV4_RESPONSE,
  SAMPLE_IPV6_RESPONSE,
  SAMPLE_REQUEST,
  SAMPLE_REQUEST_LONG_TERM,
} from '../fixtures/rfc5769';
import { prng } from '../helpers/hostile-random';
import { startUdpResponder } from '../helpers/hostile-udp';
import { runProbe } from '../helpers/probe';

const allocateError = encodeMessage(
  MessageType.AllocateError,
  Buffer.alloc(12, 9),
  [
    { type: Attr.ErrorCode, value: Buffer.concat([Buffer.from([0, 0, 4, 1]), Buffer.from('Unauthorized')]) },
    { type: Attr.Realm, value: Buffer.from('example.org') },
    { type: Attr.Nonce, value: Buffer.from('f//499k954d6OL34oL9FSTvy64sA') },
  ],
  true,
);
const SEEDS = [
  SAMPLE_REQUEST,
  SAMPLE_IPV4_RESPONSE,
  SAMPLE_IPV6_RESPONSE,
  SAMPLE_REQUEST_LONG_TERM,
  allocateError,
];

/** One mutation of a valid message: flips, overwrites, truncation, extension, corrupted lengths. */
function mutate(seed: Buffer, random: () => number): Buffer {
  const pick = (n: number) => Math.floor(random() * n);
  let buf = Buffer.from(seed);
  const rounds = 1 + pick(4);
  for (let r = 0; r < rounds; r++) {
    switch (pick(7)) {
      case 0: // flip bits
        for (let i = 0, n = 1 + pick(8); i < n && buf.length; i++) {
          const at = pick(buf.length);
          buf[at] = (buf[at] as number) ^ (1 << pick(8));
        }
        break;
      case 1: // overwrite a byte
        if (buf.length) buf[pick(buf.length)] = pick(256);
        break;
      case 2: // truncate
        buf = buf.subarray(0, pick(buf.length + 1));
        break;
      case 3: // extend with random bytes
        buf = Buffer.concat([buf, Buffer.from(Array.from({ length: pick(64) }, () => pick(256)))]);
        break;
      case 4: // corrupt the message length
        if (buf.length >= 4) buf.writeUInt16BE(pick(65536), 2);
        break;
      case 5: // corrupt an attribute length somewhere after the header
        if (buf.length >= 24) {
          const at = 20 + 4 * pick(Math.floor((buf.length - 20) / 4));
          if (at + 4 <= buf.length) buf.writeUInt16BE(pick(65536), at + 2);
        }
        break;
      default: // keep header consistent with the new size (so parsing goes deep)
        if (buf.length >= 20) buf.writeUInt16BE((buf.length - 20) & 0xffff, 2);
    }
  }
  return buf;
}

/** Everything the probes do with a server's reply. Only StunDecodeError may escape. */
function parseLikeAProbe(buf: Buffer): void {
  const message = decodeMessage(buf);
  fingerprintValid(message);
  integrityValid(message, Buffer.from('key'));
  mappedAddress(message);
  errorCode(message);
  software(message);
  xorAddressAttribute(message, Attr.XorRelayedAddress);
  plainAddressAttribute(message, Attr.OtherAddress);
  plainAddressAttribute(message, Attr.ResponseOrigin);
  stringAttribute(message, Attr.Realm);
  stringAttribute(message, Attr.Nonce);
}

describe('fuzzing what parses server replies (seeded, bounded, reproducible)', () => {
  it('100,000 mutated STUN messages: no exception but StunDecodeError, ever', () => {
    const random = prng(5769);
    const unexpected: string[] = [];
    let decoded = 0;
    for (let i = 0; i < 100_000; i++) {
      const input = mutate(SEEDS[i % SEEDS.length] as Buffer, random);
      try {
        parseLikeAProbe(input);
        decoded++;
      } catch (error) {
        if (!(error instanceof StunDecodeError) && unexpected.length < 5) {
          unexpected.push(`case ${i} (${input.toString('hex').slice(0, 80)}): ${String(error)}`);
        }
      }
    }
    expect(unexpected).toEqual([]);
    // the mutations reach past the header: a fair share of cases decode and go through every parser
    expect(decoded).toBeGreaterThan(1000);
  });

  it('300 mutated Binding responses through the real stun-binding probe: each ends classified, nothing leaks', async () => {
    const random = prng(8489);
    const responder = await startUdpResponder((request) => {
      const id = decodeMessage(request).transactionId;
      const valid = encodeMessage(
        MessageType.BindingSuccess,
        id,
        [{ type: Attr.XorMappedAddress, value: randomBytes(8).fill(0, 0, 2).fill(1, 1, 2) }],
        true,
      );
      return mutate(valid, random);
    });
    const classes = new Map<string, number>();
    let leaked = 0;
    try {
      for (let i = 0; i < 300; i++) {
        const { attempts, ledger } = await runProbe(
          stunBindingProbe as unknown as Probe,
          { kind: 'stun', url: `stun:127.0.0.1:${responder.port}` },
          { stunMs: 40 },
        );
        const key = `${attempts[0]?.outcome}:${attempts[0]?.errorClass ?? '-'}`;
        classes.set(key, (classes.get(key) ?? 0) + 1);
        leaked += ledger.counts().leaked;
      }
    } finally {
      await responder.close();
    }
    expect(leaked).toBe(0);
    const allowed = new Set(['success:-', 'error:malformed-reply', 'timeout:timeout', 'error:server-error']);
    expect([...classes.keys()].filter((k) => !allowed.has(k))).toEqual([]);
    expect([...classes.values()].reduce((a, b) => a + b, 0)).toBe(300);
  });
});
