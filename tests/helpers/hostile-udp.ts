import { createSocket, type Socket } from 'node:dgram';

/** A loopback UDP socket that answers every datagram with `reply(datagram)` — or stays silent when it returns null. */
export async function startUdpResponder(
  reply: (datagram: Buffer) => Buffer | null,
): Promise<{ port: number; received: () => number; close(): Promise<void> }> {
  const socket: Socket = createSocket('udp4');
  let received = 0;
  socket.on('message', (msg, rinfo) => {
    received++;
    const out = reply(msg);
    if (out) socket.send(out, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    received: () => received,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
