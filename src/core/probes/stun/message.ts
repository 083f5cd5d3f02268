import { createHash, createHmac } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { serverText } from '../server-text';

/**
 * A defensive STUN message codec (RFC 8489). Server replies are untrusted input: every length is
 * checked against the buffer before it is read, and anything off gives a `StunDecodeError`.
 */
export const MAGIC_COOKIE = 0x2112a442;
export const HEADER_LENGTH = 20;
export const MAX_MESSAGE_LENGTH = 65_535 + HEADER_LENGTH;

export const MessageType = {
  BindingRequest: 0x0001,
  BindingSuccess: 0x0101,
  BindingError: 0x0111,
  AllocateRequest: 0x0003,
  AllocateSuccess: 0x0103,
  AllocateError: 0x0113,
  RefreshRequest: 0x0004,
  RefreshSuccess: 0x0104,
  RefreshError: 0x0114,
} as const;

/** The class bits of a message type: request, indication, success or error response. */
export function messageClass(type: number): 'request' | 'indication' | 'success' | 'error' {
  const bits = ((type >> 7) & 0x2) | ((type >> 4) & 0x1);
  return (['request', 'indication', 'success', 'error'] as const)[bits] as
    'request' | 'indication' | 'success' | 'error';
}

/** RFC 8489 §9.2.2: the long-term credential key, MD5(username ":" realm ":" password). */
export function longTermKey(username: string, realm: string, password: string): Buffer {
  return createHash('md5').update(`${username}:${realm}:${password}`).digest();
}

export const Attr = {
  MappedAddress: 0x0001,
  Username: 0x0006,
  MessageIntegrity: 0x0008,
  ErrorCode: 0x0009,
  UnknownAttributes: 0x000a,
  Realm: 0x0014,
  Nonce: 0x0015,
  XorMappedAddress: 0x0020,
  ChannelNumber: 0x000c,
  Lifetime: 0x000d,
  XorPeerAddress: 0x0012,
  XorRelayedAddress: 0x0016,
  RequestedAddressFamily: 0x0017,
  RequestedTransport: 0x0019,
  ChangeRequest: 0x0003,
  Software: 0x8022,
  AlternateServer: 0x8023,
  Fingerprint: 0x8028,
  ResponseOrigin: 0x802b,
  OtherAddress: 0x802c,
} as const;

const FINGERPRINT_XOR = 0x5354554e;

export class StunDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StunDecodeError';
  }
}

export interface StunAttribute {
  type: number;
  value: Buffer;
  /** The padding bytes as received (RFC 8489 lets senders put anything there); zeros when encoding anew. */
  padding?: Buffer;
}

export interface StunMessage {
  type: number;
  transactionId: Buffer;
  attributes: StunAttribute[];
  /** The raw bytes, kept for integrity/fingerprint checks. */
  raw: Buffer;
}

export interface TransportAddress {
  family: 'IPv4' | 'IPv6';
  address: string;
  port: number;
}

/** Length of the STUN message at the start of `buf` (for stream framing), or null if not yet known. */
export function framedLength(buf: Buffer): number | null {
  if (buf.length < 4) return null;
  return HEADER_LENGTH + buf.readUInt16BE(2);
}

export interface EncodeOptions {
  /** Long-term or short-term credential key: adds MESSAGE-INTEGRITY (HMAC-SHA1). */
  integrityKey?: Buffer;
  fingerprint?: boolean;
}

export function encodeMessage(
  type: number,
  transactionId: Buffer,
  attributes: StunAttribute[] = [],
  fingerprintOrOptions: boolean | EncodeOptions = false,
): Buffer {
  const options: EncodeOptions =
    typeof fingerprintOrOptions === 'boolean' ? { fingerprint: fingerprintOrOptions } : fingerprintOrOptions;
  const fingerprint = options.fingerprint ?? false;
  if (transactionId.length !== 12) throw new RangeError('transaction id must be 12 bytes');
  const parts: Buffer[] = [];
  for (const attribute of attributes) parts.push(encodeAttribute(attribute));
  let body = Buffer.concat(parts);
  const header = Buffer.alloc(HEADER_LENGTH);
  header.writeUInt16BE(type, 0);
  header.writeUInt32BE(MAGIC_COOKIE, 4);
  transactionId.copy(header, 8);
  if (options.integrityKey) {
    // The length covers MESSAGE-INTEGRITY itself (RFC 8489 §14.5), not a FINGERPRINT after it.
    header.writeUInt16BE(body.length + 24, 2);
    const hmac = createHmac('sha1', options.integrityKey)
      .update(Buffer.concat([header, body]))
      .digest();
    body = Buffer.concat([body, encodeAttribute({ type: Attr.MessageIntegrity, value: hmac })]);
  }
  if (fingerprint) {
    header.writeUInt16BE(body.length + 8, 2);
    const crc = (crc32(Buffer.concat([header, body])) ^ FINGERPRINT_XOR) >>> 0;
    const value = Buffer.alloc(4);
    value.writeUInt32BE(crc, 0);
    body = Buffer.concat([body, encodeAttribute({ type: Attr.Fingerprint, value })]);
  }
  header.writeUInt16BE(body.length, 2);
  return Buffer.concat([header, body]);
}

function encodeAttribute({ type, value, padding }: StunAttribute): Buffer {
  const padded = Math.ceil(value.length / 4) * 4;
  const out = Buffer.alloc(4 + padded);
  out.writeUInt16BE(type, 0);
  out.writeUInt16BE(value.length, 2);
  value.copy(out, 4);
  if (padding && padding.length === padded - value.length) padding.copy(out, 4 + value.length);
  return out;
}

export function decodeMessage(buf: Buffer): StunMessage {
  if (buf.length < HEADER_LENGTH)
    throw new StunDecodeError(`message of ${buf.length} bytes is shorter than a STUN header`);
  const type = buf.readUInt16BE(0);
  if ((type & 0xc000) !== 0) throw new StunDecodeError('first two bits are not zero: not a STUN message');
  const length = buf.readUInt16BE(2);
  if (buf.readUInt32BE(4) !== MAGIC_COOKIE) throw new StunDecodeError('wrong magic cookie');
  if (length % 4 !== 0) throw new StunDecodeError(`message length ${length} is not a multiple of 4`);
  if (HEADER_LENGTH + length !== buf.length) {
    throw new StunDecodeError(
      `header says ${length} bytes of attributes, datagram has ${buf.length - HEADER_LENGTH}`,
    );
  }
  const attributes: StunAttribute[] = [];
  let offset = HEADER_LENGTH;
  while (offset < buf.length) {
    if (offset + 4 > buf.length)
      throw new StunDecodeError('attribute header runs past the end of the message');
    const attrType = buf.readUInt16BE(offset);
    const attrLength = buf.readUInt16BE(offset + 2);
    const end = offset + 4 + attrLength;
    if (end > buf.length)
      throw new StunDecodeError(`attribute 0x${attrType.toString(16)} runs past the end of the message`);
    const paddedEnd = offset + 4 + Math.ceil(attrLength / 4) * 4;
    attributes.push({
      type: attrType,
      value: Buffer.from(buf.subarray(offset + 4, end)),
      padding: Buffer.from(buf.subarray(end, Math.min(paddedEnd, buf.length))),
    });
    offset = paddedEnd;
  }
  return { type, transactionId: Buffer.from(buf.subarray(8, 20)), attributes, raw: Buffer.from(buf) };
}

export function getAttribute(message: StunMessage, type: number): Buffer | undefined {
  return message.attributes.find((attribute) => attribute.type === type)?.value;
}

function decodeAddress(value: Buffer, xorWith: Buffer | null): TransportAddress {
  if (value.length < 4) throw new StunDecodeError('address attribute too short');
  const familyCode = value.readUInt8(1);
  let port = value.readUInt16BE(2);
  if (xorWith) port ^= xorWith.readUInt16BE(0);
  if (familyCode === 0x01) {
    if (value.length !== 8) throw new StunDecodeError('IPv4 address attribute must be 8 bytes');
    const bytes = Buffer.from(value.subarray(4, 8));
    if (xorWith) for (let i = 0; i < 4; i++) bytes[i] = (bytes[i] as number) ^ (xorWith[i] as number);
    return { family: 'IPv4', address: Array.from(bytes).join('.'), port };
  }
  if (familyCode === 0x02) {
    if (value.length !== 20) throw new StunDecodeError('IPv6 address attribute must be 20 bytes');
    const bytes = Buffer.from(value.subarray(4, 20));
    if (xorWith) for (let i = 0; i < 16; i++) bytes[i] = (bytes[i] as number) ^ (xorWith[i] as number);
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
    return { family: 'IPv6', address: compressIpv6(groups), port };
  }
  throw new StunDecodeError(`unknown address family 0x${familyCode.toString(16)}`);
}

function compressIpv6(groups: string[]): string {
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > bestLength && j - i > 1) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLength).join(':')}`;
}

function xorKey(message: StunMessage): Buffer {
  const key = Buffer.alloc(16);
  key.writeUInt32BE(MAGIC_COOKIE, 0);
  message.transactionId.copy(key, 4);
  return key;
}

/** The reflexive address: XOR-MAPPED-ADDRESS, or MAPPED-ADDRESS from an older server. */
export function mappedAddress(message: StunMessage): TransportAddress | null {
  const xor = getAttribute(message, Attr.XorMappedAddress);
  if (xor) return decodeAddress(xor, xorKey(message));
  const plain = getAttribute(message, Attr.MappedAddress);
  return plain ? decodeAddress(plain, null) : null;
}

export function plainAddressAttribute(message: StunMessage, type: number): TransportAddress | null {
  const value = getAttribute(message, type);
  return value ? decodeAddress(value, null) : null;
}

export function errorCode(message: StunMessage): { code: number; reason: string } | null {
  const value = getAttribute(message, Attr.ErrorCode);
  if (!value) return null;
  if (value.length < 4) throw new StunDecodeError('ERROR-CODE attribute too short');
  const code = (value.readUInt8(2) & 0x07) * 100 + value.readUInt8(3);
  // the server's words are data: no padding NULs or control bytes reach a message (server-text.ts)
  return { code, reason: serverText(value.subarray(4).toString('utf8')) };
}

export function software(message: StunMessage): string | null {
  const value = getAttribute(message, Attr.Software);
  return value ? serverText(value.toString('utf8'), 128) : null;
}

/** True when FINGERPRINT is absent, or present, last, and correct. */
export function fingerprintValid(message: StunMessage): boolean {
  const index = message.attributes.findIndex((attribute) => attribute.type === Attr.Fingerprint);
  if (index < 0) return true;
  if (index !== message.attributes.length - 1) return false;
  const value = message.attributes[index]?.value;
  if (!value || value.length !== 4) return false;
  const covered = message.raw.subarray(0, message.raw.length - 8);
  return (crc32(covered) ^ FINGERPRINT_XOR) >>> 0 === value.readUInt32BE(0);
}

/** Address attribute with XOR (XOR-RELAYED-ADDRESS, XOR-PEER-ADDRESS…). */
export function xorAddressAttribute(message: StunMessage, type: number): TransportAddress | null {
  const value = getAttribute(message, type);
  return value ? decodeAddress(value, xorKey(message)) : null;
}

/**
 * True when MESSAGE-INTEGRITY is present, matches `key`, and nothing but FINGERPRINT (or
 * MESSAGE-INTEGRITY-SHA256) follows it: RFC 8489 says to ignore anything else there, and a client
 * is safer refusing a message in which unauthenticated attributes ride along.
 */
export function integrityValid(message: StunMessage, key: Buffer): boolean {
  let offset = HEADER_LENGTH;
  const attributes = message.attributes;
  for (let i = 0; i < attributes.length; i++) {
    const attribute = attributes[i] as StunAttribute;
    if (attribute.type === Attr.MessageIntegrity) {
      if (attribute.value.length !== 20) return false;
      const trailing = attributes.slice(i + 1);
      if (trailing.some((a) => a.type !== Attr.Fingerprint && a.type !== MESSAGE_INTEGRITY_SHA256))
        return false;
      const covered = Buffer.from(message.raw.subarray(0, offset));
      covered.writeUInt16BE(offset - HEADER_LENGTH + 24, 2);
      return createHmac('sha1', key).update(covered).digest().equals(attribute.value);
    }
    offset += 4 + Math.ceil(attribute.value.length / 4) * 4;
  }
  return false;
}

const MESSAGE_INTEGRITY_SHA256 = 0x001c;

export function stringAttribute(message: StunMessage, type: number, max = 763): string | null {
  const value = getAttribute(message, type);
  return value ? value.subarray(0, max).toString('utf8') : null;
}
