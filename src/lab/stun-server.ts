import { createSocket } from 'node:dgram';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import * as stun from 'stun';

export interface LabStunServer {
  host: string;
  udpPort: number;
  tcpPort: number;
  /** Requests answered, over both transports (handy for asserting a probe really reached us). */
  readonly answered: number;
  close(): Promise<void>;
}

const SOFTWARE = 'rtc-triage embedded lab';

/** The embedded STUN server (npm `stun`): Binding over UDP and, with RFC 4571-style framing, over TCP. */
export async function startLabStunServer(
  options: { host?: string; udpPort?: number; tcpPort?: number } = {},
): Promise<LabStunServer> {
  const host = options.host ?? '127.0.0.1';
  const family = host.includes(':') ? 'udp6' : 'udp4';
  let answered = 0;

  const socket = createSocket(family);
  const udp = stun.createServer({ type: family, socket });
  // A malformed datagram makes npm `stun` emit 'error'; the lab ignores it instead of crashing.
  udp.on('error', () => {});
  udp.on(stun.constants.STUN_EVENT_BINDING_REQUEST, (request: stun.StunMessage, rinfo: stun.RemoteInfo) => {
    answered++;
    udp.send(bindingResponse(request, rinfo.address, rinfo.port), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.udpPort ?? 0, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });

  const connections = new Set<Socket>();
  const tcp = createTcpServer((conn) => {
    connections.add(conn);
    conn.on('close', () => connections.delete(conn));
    conn.on('error', () => conn.destroy());
    let pending = Buffer.alloc(0);
    conn.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 20) {
        const length = 20 + pending.readUInt16BE(2);
        if (length > 4096) return conn.destroy();
        if (pending.length < length) break;
        const frame = pending.subarray(0, length);
        pending = pending.subarray(length);
        let request: stun.StunMessage;
        try {
          request = stun.decode(Buffer.from(frame));
        } catch {
          return conn.destroy();
        }
        if (request.type !== stun.constants.STUN_BINDING_REQUEST) continue;
        answered++;
        conn.write(bindingResponse(request, conn.remoteAddress ?? host, conn.remotePort ?? 0).toBuffer());
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(options.tcpPort ?? 0, host, () => {
      tcp.off('error', reject);
      resolve();
    });
  });

  let closed: Promise<void> | null = null;
  return {
    host,
    udpPort: socket.address().port,
    tcpPort: (tcp.address() as AddressInfo).port,
    get answered() {
      return answered;
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const conn of connections) conn.destroy();
        udp.close();
        // npm stun leaves a socket it was given open on close(): close it ourselves
        let pending = 2;
        const one = () => --pending === 0 && resolve();
        socket.close(one);
        tcp.close(one);
      });
      return closed;
    },
  };
}

function bindingResponse(request: stun.StunMessage, address: string, port: number): stun.StunRequest {
  const response = stun.createMessage(stun.constants.STUN_BINDING_RESPONSE, request.transactionId);
  response.addXorAddress(normalize(address), port);
  response.addSoftware(SOFTWARE);
  response.addFingerprint();
  return response;
}

/** `::ffff:127.0.0.1` (a v4 peer on a dual-stack socket) is reported as the IPv4 address it is. */
function normalize(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
