import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type AddressInfo, type Server, type Socket as TcpSocket } from 'node:net';
import { StunStreamFramer } from '../../src/core/probes/stun/framer';
import {
  Attr,
  decodeMessage,
  encodeMessage,
  getAttribute,
  MAGIC_COOKIE,
  MAX_MESSAGE_LENGTH,
  MessageType,
  type StunAttribute,
  type StunMessage,
} from '../../src/core/probes/stun/message';
import { pick, prng, randomBytes, type Random } from './hostile-random';

/**
 * How the hostile server answers each request. It first builds the answer a working STUN/TURN
 * server would give (Binding success with OTHER-ADDRESS, a 401 challenge, an Allocate success, a
 * Refresh success), then spoils it as the mode says.
 */
export const HOSTILE_STUN_MODES = [
  'valid',
  'garbage',
  'truncated',
  'wrong-cookie',
  'wrong-transaction-id',
  'attribute-past-end',
  'bad-attribute-values',
  'oversized',
  'flood',
  'flood-valid',
  'oversized-flood',
  'silence',
] as const;
export type HostileStunMode = (typeof HOSTILE_STUN_MODES)[number];

export interface HostileStunOptions {
  mode: HostileStunMode;
  seed: number;
  /** Datagrams (or stream writes) per request in the flood modes. */
  floodCount?: number;
  /** 64 KB messages per request in `oversized-flood`. */
  oversizedFloodCount?: number;
}

export interface HostileStunServer {
  /** UDP on 127.0.0.1 (and the same port on 127.0.0.2, for RFC 5780's second address). */
  udpPort: number;
  tcpPort: number;
  /** Requests received, over every socket. */
  received(): number;
  close(): Promise<void>;
}

/** Largest UDP payload over IPv4 (65,535 - 8 - 20), kept a multiple of 4 as STUN needs. */
const UDP_MAX = 65_504;
/** Largest STUN message: a 16-bit attribute length, a multiple of 4. */
const STREAM_MAX = MAX_MESSAGE_LENGTH - 3;
const OTHER_IP = '127.0.0.2';
const REALM = 'hostile.test';
const NONCE = 'hostile-nonce';

/** A loopback STUN/TURN server over UDP and TCP that answers every request the hostile way `mode` says. */
export async function startHostileStun(options: HostileStunOptions): Promise<HostileStunServer> {
  const random = prng(options.seed);
  let received = 0;
  const udp = await bindUdpPair();
  const { primary, alternate, alternatePort } = udp;
  const other = { address: OTHER_IP, port: alternatePort.address().port };

  const answerDatagram = (socket: UdpSocket) => (msg: Buffer, rinfo: RemoteInfo) => {
    const request = tryDecode(msg);
    if (!request) return;
    received++;
    for (const out of hostileReplies(request, rinfo, other, options, random, UDP_MAX)) {
      socket.send(out, rinfo.port, rinfo.address, () => {});
    }
  };
  for (const socket of [primary, alternate, alternatePort]) {
    socket.on('message', answerDatagram(socket));
    socket.on('error', () => {});
  }

  const streams = new Set<TcpSocket>();
  const tcp: Server = createServer((socket) => {
    streams.add(socket);
    socket.on('close', () => streams.delete(socket));
    socket.on('error', () => {});
    const framer = new StunStreamFramer(MAX_MESSAGE_LENGTH);
    socket.on('data', (chunk: Buffer) => {
      for (const item of framer.push(chunk)) {
        const request = item.kind === 'message' ? tryDecode(item.bytes) : null;
        if (!request) continue;
        received++;
        const from = { address: socket.remoteAddress ?? '127.0.0.1', port: socket.remotePort ?? 0 };
        for (const out of hostileReplies(request, from, other, options, random, STREAM_MAX)) {
          if (!socket.writable) break;
          socket.write(out);
        }
        // a truncated message over a stream only shows as truncated when the stream ends
        if (options.mode === 'truncated') socket.end();
      }
    });
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));

  return {
    udpPort: primary.address().port,
    tcpPort: (tcp.address() as AddressInfo).port,
    received: () => received,
    close: async () => {
      for (const socket of streams) socket.destroy();
      await Promise.all([
        new Promise<void>((resolve) => tcp.close(() => resolve())),
        ...[primary, alternate, alternatePort].map(
          (socket) => new Promise<void>((resolve) => socket.close(() => resolve())),
        ),
      ]);
    },
  };
}

/** 127.0.0.1:P and 127.0.0.2:P (RFC 5780 test II goes to the other address, same port) plus 127.0.0.2:Q. */
async function bindUdpPair(): Promise<{
  primary: UdpSocket;
  alternate: UdpSocket;
  alternatePort: UdpSocket;
}> {
  const bind = (address: string, port: number) =>
    new Promise<UdpSocket | null>((resolve) => {
      const socket = createSocket('udp4');
      socket.once('error', () => {
        socket.close();
        resolve(null);
      });
      socket.bind(port, address, () => resolve(socket));
    });
  for (let tries = 0; tries < 20; tries++) {
    const primary = await bind('127.0.0.1', 0);
    if (!primary) continue;
    const alternate = await bind(OTHER_IP, primary.address().port);
    if (!alternate) {
      primary.close();
      continue;
    }
    const alternatePort = await bind(OTHER_IP, 0);
    if (alternatePort) return { primary, alternate, alternatePort };
    primary.close();
    alternate.close();
  }
  throw new Error('could not bind the hostile STUN server on 127.0.0.1 and 127.0.0.2');
}

function tryDecode(bytes: Buffer): StunMessage | null {
  try {
    return decodeMessage(bytes);
  } catch {
    return null;
  }
}

interface Address {
  address: string;
  port: number;
}

function hostileReplies(
  request: StunMessage,
  from: Address,
  other: Address,
  options: HostileStunOptions,
  random: Random,
  maxBytes: number,
): Buffer[] {
  const id = request.transactionId;
  const valid = () => answer(request, id, from, other);
  switch (options.mode) {
    case 'valid':
      return [valid()];
    case 'silence':
      return [];
    case 'garbage':
      return [randomBytes(random, 20 + pick(random, 180))];
    case 'truncated': {
      const whole = valid();
      return [whole.subarray(0, 1 + pick(random, whole.length - 1))];
    }
    case 'wrong-cookie': {
      const out = Buffer.from(valid());
      out.writeUInt32BE((MAGIC_COOKIE ^ (1 + pick(random, 0x7fffffff))) >>> 0, 4);
      return [out];
    }
    case 'wrong-transaction-id': {
      const foreign = Buffer.from(id);
      const at = pick(random, 12);
      foreign[at] = (foreign[at] as number) ^ (1 + pick(random, 255));
      return [answer(request, foreign, from, other)];
    }
    case 'attribute-past-end': {
      const out = Buffer.from(valid());
      out.writeUInt16BE(out.length + pick(random, 1000), 22);
      return [out];
    }
    case 'bad-attribute-values':
      return [answer(request, id, from, other, undefined, spoilValues)];
    case 'oversized':
      return [answer(request, id, from, other, maxBytes)];
    case 'flood':
      return Array.from({ length: options.floodCount ?? 2000 }, () =>
        randomBytes(random, 20 + pick(random, 100)),
      );
    case 'flood-valid': {
      const reply = valid();
      return Array.from({ length: options.floodCount ?? 2000 }, () => reply);
    }
    case 'oversized-flood': {
      const reply = answer(request, id, from, other, maxBytes);
      return Array.from({ length: options.oversizedFloodCount ?? 40 }, () => reply);
    }
  }
}

/**
 * What a working server answers, with transaction id `id`. `padTo` grows it to that many bytes with
 * a comprehension-optional attribute (0x80FF), as a valid but absurdly large message.
 */
function answer(
  request: StunMessage,
  id: Buffer,
  from: Address,
  other: Address,
  padTo?: number,
  spoil?: (attributes: StunAttribute[]) => StunAttribute[],
): Buffer {
  let type: number;
  let attributes: StunAttribute[];
  switch (request.type) {
    case MessageType.BindingRequest:
      type = MessageType.BindingSuccess;
      attributes = [xorAddress(Attr.XorMappedAddress, from), plainAddress(Attr.OtherAddress, other)];
      break;
    case MessageType.AllocateRequest:
      if (!getAttribute(request, Attr.Username)) {
        type = MessageType.AllocateError;
        attributes = [
          {
            type: Attr.ErrorCode,
            value: Buffer.concat([Buffer.from([0, 0, 4, 1]), Buffer.from('Unauthorized')]),
          },
          { type: Attr.Realm, value: Buffer.from(REALM) },
          { type: Attr.Nonce, value: Buffer.from(NONCE) },
        ];
      } else {
        type = MessageType.AllocateSuccess;
        attributes = [
          xorAddress(Attr.XorRelayedAddress, { address: '127.0.0.1', port: 49_999 }),
          xorAddress(Attr.XorMappedAddress, from),
          { type: Attr.Lifetime, value: Buffer.from([0, 0, 2, 88]) },
        ];
      }
      break;
    case MessageType.RefreshRequest:
      type = MessageType.RefreshSuccess;
      attributes = [{ type: Attr.Lifetime, value: Buffer.alloc(4) }];
      break;
    default:
      type = MessageType.BindingError;
      attributes = [{ type: Attr.ErrorCode, value: Buffer.from([0, 0, 4, 0]) }];
  }
  attributes.push({ type: Attr.Software, value: Buffer.from('hostile') });
  if (spoil) attributes = spoil(attributes);
  if (padTo !== undefined) {
    const size = encodeMessage(type, id, attributes, true).length;
    const room = Math.floor((padTo - size - 4) / 4) * 4;
    attributes.push({ type: 0x80ff, value: Buffer.alloc(Math.min(room, 65_532)) });
  }
  return encodeMessage(type, id, attributes, true);
}

/**
 * A message that decodes, but whose attribute values do not: addresses of an unknown family, an
 * ERROR-CODE too short to hold a code.
 */
function spoilValues(attributes: StunAttribute[]): StunAttribute[] {
  return attributes.map((attribute) => {
    if (attribute.type === Attr.ErrorCode) return { type: attribute.type, value: Buffer.from([0, 4]) };
    if (attribute.value.length === 8 && attribute.value[1] === 0x01) {
      const value = Buffer.from(attribute.value);
      value[1] = 0x07;
      return { type: attribute.type, value };
    }
    return attribute;
  });
}

function addressValue(port: number, ip: Buffer): Buffer {
  const value = Buffer.alloc(8);
  value[1] = 0x01;
  value.writeUInt16BE(port, 2);
  ip.copy(value, 4);
  return value;
}

function ipv4(address: string): Buffer {
  return Buffer.from(address.split('.').map(Number));
}

function plainAddress(type: number, address: Address): StunAttribute {
  return { type, value: addressValue(address.port, ipv4(address.address)) };
}

/** XOR-…-ADDRESS for IPv4: the XOR key is the magic cookie alone (the transaction id only keys IPv6). */
function xorAddress(type: number, address: Address): StunAttribute {
  const key = Buffer.alloc(4);
  key.writeUInt32BE(MAGIC_COOKIE, 0);
  const ip = ipv4(address.address).map((byte, i) => byte ^ (key[i] as number));
  return { type, value: addressValue(address.port ^ (MAGIC_COOKIE >>> 16), Buffer.from(ip)) };
}
