import { describe, expect, it } from 'vitest';
import { StunStreamFramer, type StreamItem } from './framer';
import { encodeMessage, MessageType } from './message';

const id = Buffer.alloc(12, 3);
const small = encodeMessage(
  MessageType.BindingSuccess,
  id,
  [{ type: 0x8022, value: Buffer.from('x') }],
  true,
);
/** A well-formed header announcing a 64 KB message (attributes of zeros). */
const huge = encodeMessage(MessageType.BindingSuccess, id, [{ type: 0x8029, value: Buffer.alloc(65_528) }]);

function messages(items: StreamItem[]): Buffer[] {
  return items.flatMap((item) => (item.kind === 'message' ? [item.bytes] : []));
}

describe('StunStreamFramer', () => {
  it('cuts messages out of chunks of any size, one byte at a time included', () => {
    const stream = Buffer.concat([small, small, small]);
    for (const size of [1, 3, 7, 20, small.length, stream.length]) {
      const framer = new StunStreamFramer(1024);
      const out: StreamItem[] = [];
      for (let i = 0; i < stream.length; i += size) out.push(...framer.push(stream.subarray(i, i + size)));
      expect(messages(out).map((m) => m.equals(small))).toEqual([true, true, true]);
      expect(framer.pending).toBe(0);
    }
  });

  it('skips a message over the limit without buffering it, and frames the next one', () => {
    const framer = new StunStreamFramer(1024);
    const out: StreamItem[] = [];
    const stream = Buffer.concat([huge, small]);
    for (let i = 0; i < stream.length; i += 4096) {
      out.push(...framer.push(stream.subarray(i, i + 4096)));
      // never more than one chunk held while skipping
      expect(framer.pending).toBeLessThanOrEqual(huge.length);
    }
    expect(out[0]).toMatchObject({ kind: 'garbage', bytes: huge.length });
    expect(out[0]?.kind === 'garbage' && out[0].reason).toMatch(/larger than any STUN reply/);
    expect(messages(out)).toEqual([small]);
  });

  it('drops bytes that cannot start a STUN message, as soon as the first byte or the cookie says so', () => {
    const framer = new StunStreamFramer(1024);
    expect(framer.push(Buffer.from('H'))).toEqual([
      { kind: 'garbage', bytes: 1, reason: 'bytes that are not a STUN message' },
    ]);
    const wrongCookie = Buffer.from(small);
    wrongCookie.writeUInt32BE(0xdeadbeef, 4);
    expect(framer.push(wrongCookie)[0]).toMatchObject({ kind: 'garbage' });
    expect(framer.pending).toBe(0);
    expect(messages(framer.push(small))).toEqual([small]);
  });

  it('tells how much of an unfinished message it holds', () => {
    const framer = new StunStreamFramer(1024);
    framer.push(small.subarray(0, 10));
    expect(framer.pending).toBe(10);
  });
});
