import { HEADER_LENGTH, MAGIC_COOKIE } from './message';

/** What a stream of bytes from a STUN server over TCP/TLS held: a whole message, or bytes to discard. */
export type StreamItem =
  { kind: 'message'; bytes: Buffer } | { kind: 'garbage'; bytes: number; reason: string };

/**
 * Cuts STUN messages out of a TCP/TLS byte stream (RFC 8489 §6.2.2: the header's length frames
 * them). The stream is untrusted, so the framer never holds more than one capped message plus one
 * chunk: a message whose header announces more than `maxMessageBytes` is reported and its bytes are
 * skipped as they arrive instead of being buffered, and bytes that cannot start a STUN message
 * (first two bits set, wrong magic cookie) are dropped with everything buffered, since a byte
 * stream that lost its framing cannot be resynchronised.
 */
export class StunStreamFramer {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Bytes of an oversized message still to be skipped. */
  private skipping = 0;

  constructor(private readonly maxMessageBytes: number) {}

  /** Bytes of an unfinished message held right now (for "closed mid-message"). */
  get pending(): number {
    return this.buffered + this.skipping;
  }

  push(chunk: Buffer): StreamItem[] {
    const out: StreamItem[] = [];
    let data = chunk;
    if (this.skipping > 0) {
      const skipped = Math.min(this.skipping, data.length);
      this.skipping -= skipped;
      data = data.subarray(skipped);
    }
    if (data.length > 0) {
      this.chunks.push(data);
      this.buffered += data.length;
    }
    while (this.buffered > 0) {
      const head = this.head(Math.min(this.buffered, 8));
      if (((head[0] as number) & 0xc0) !== 0 || (head.length >= 8 && head.readUInt32BE(4) !== MAGIC_COOKIE)) {
        out.push({ kind: 'garbage', bytes: this.buffered, reason: 'bytes that are not a STUN message' });
        this.chunks = [];
        this.buffered = 0;
        break;
      }
      if (head.length < 8) break;
      const length = HEADER_LENGTH + head.readUInt16BE(2);
      if (length > this.maxMessageBytes) {
        out.push({
          kind: 'garbage',
          bytes: length,
          reason: `a message of ${length} bytes, larger than any STUN reply (limit ${this.maxMessageBytes})`,
        });
        const dropped = Math.min(length, this.buffered);
        this.drop(dropped);
        this.skipping = length - dropped;
        continue;
      }
      if (this.buffered < length) break;
      out.push({ kind: 'message', bytes: this.take(length) });
    }
    return out;
  }

  /** The first `n` bytes (n ≤ 8), joining small chunks when the header straddles them. */
  private head(n: number): Buffer {
    if ((this.chunks[0] as Buffer).length < n) this.chunks = [Buffer.concat(this.chunks)];
    return (this.chunks[0] as Buffer).subarray(0, n);
  }

  private take(n: number): Buffer {
    if ((this.chunks[0] as Buffer).length < n) this.chunks = [Buffer.concat(this.chunks)];
    const first = this.chunks[0] as Buffer;
    // a copy, so the message does not pin the chunk it came in
    const message = Buffer.from(first.subarray(0, n));
    this.drop(n);
    return message;
  }

  private drop(n: number): void {
    let left = n;
    while (left > 0 && this.chunks.length > 0) {
      const first = this.chunks[0] as Buffer;
      if (first.length <= left) {
        left -= first.length;
        this.chunks.shift();
      } else {
        this.chunks[0] = first.subarray(left);
        left = 0;
      }
    }
    this.buffered -= n;
  }
}
