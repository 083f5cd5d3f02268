import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A loopback HTTP + WebSocket server with scripted misbehaviour, for signaling failure modes:
 * `onConnection` decides what each accepted socket does; `httpStatus` answers plain HTTP requests.
 */
export async function startHostileWs(options: {
  onConnection?: (socket: WebSocket, url: URL) => void;
  httpStatus?: number;
  refuseUpgrade?: number;
  /** Answers plain HTTP requests itself (instead of `httpStatus`). */
  onHttp?: (req: IncomingMessage, res: ServerResponse) => void;
}): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (options.onHttp) return options.onHttp(req, res);
    const status = options.httpStatus ?? 404;
    res.statusCode = status;
    // a 200 answers like a PeerJS id endpoint, so the probe gets as far as the WebSocket
    res.end(status === 200 ? 'hostile-peer-id' : status >= 500 ? 'Internal Server Error' : '');
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (options.refuseUpgrade) {
      socket.end(`HTTP/1.1 ${options.refuseUpgrade} Nope\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) =>
      options.onConnection?.(ws, new URL(req.url ?? '/', 'http://x')),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
