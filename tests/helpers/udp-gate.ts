import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

/**
 * A loopback UDP forwarder in front of a real server that decides, per client socket, whether to
 * pass its datagrams: `pass(client)` gets the client's source port and the number of distinct client
 * sockets seen before it (0 for the first). A dropped datagram is lost both ways, as on a lossy link.
 * Each client gets its own upstream socket, so the server's replies find their way back.
 */
export async function startUdpGate(
  upstreamPort: number,
  pass: (client: { port: number; index: number }) => boolean,
): Promise<{ port: number; dropped: () => number; close(): Promise<void> }> {
  const front: Socket = createSocket('udp4');
  const upstreams = new Map<string, { socket: Socket; index: number; ready: Promise<void> }>();
  let dropped = 0;
  const upstreamFor = (rinfo: RemoteInfo) => {
    const key = `${rinfo.address}:${rinfo.port}`;
    let entry = upstreams.get(key);
    if (!entry) {
      const socket = createSocket('udp4');
      socket.on('message', (reply) => front.send(reply, rinfo.port, rinfo.address));
      const ready = new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      entry = { socket, index: upstreams.size, ready };
      upstreams.set(key, entry);
    }
    return entry;
  };
  front.on('message', (datagram, rinfo) => {
    const upstream = upstreamFor(rinfo);
    if (!pass({ port: rinfo.port, index: upstream.index })) {
      dropped++;
      return;
    }
    void upstream.ready.then(() => upstream.socket.send(datagram, upstreamPort, '127.0.0.1'));
  });
  await new Promise<void>((resolve) => front.bind(0, '127.0.0.1', resolve));
  return {
    port: front.address().port,
    dropped: () => dropped,
    close: async () => {
      await Promise.all(
        [...upstreams.values()].map((u) =>
          u.ready.then(() => new Promise<void>((resolve) => u.socket.close(() => resolve()))),
        ),
      );
      await new Promise<void>((resolve) => front.close(() => resolve()));
    },
  };
}
