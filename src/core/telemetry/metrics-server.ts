import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { TriageError, errorMessage } from '../errors';
import type { TriageMetrics } from './metrics';

export const DEFAULT_METRICS_HOST = '127.0.0.1';

export interface MetricsServer {
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

/**
 * `/metrics` in the Prometheus text format, for a real Prometheus to scrape. Loopback unless the
 * caller asks otherwise; answers GET and HEAD on `/metrics` only, and holds no state of its own.
 */
export async function startMetricsServer(options: {
  metrics: TriageMetrics;
  host?: string;
  port: number;
}): Promise<MetricsServer> {
  const host = options.host ?? DEFAULT_METRICS_HOST;
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: try /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    options.metrics.text().then(
      (text) => {
        res.writeHead(200, { 'content-type': options.metrics.contentType, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`${errorMessage(error)}\n`);
      },
    );
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) =>
      reject(
        new TriageError(
          error.code === 'EADDRINUSE' ? 'USAGE' : 'INTERNAL',
          `cannot serve metrics on ${host}:${options.port}: ${error.code === 'EADDRINUSE' ? 'the port is in use' : error.message}`,
          { cause: error },
        ),
      );
    server.once('error', onError);
    server.listen(options.port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const h = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${h}:${port}/metrics`,
    host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        // A scraper keeps its connection alive between scrapes: close it rather than wait for it.
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
