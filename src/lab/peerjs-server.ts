import { startWorkerServer } from './worker-server';

export interface LabPeerJsServer {
  url: string;
  key: string;
  port: number;
  close(): Promise<void>;
}

// Runs in a worker thread: npm `peer` keeps intervals that nothing stops, so the thread is terminated.
const SERVER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
try {
  const { PeerServer } = require(workerData.peerPath);
  const app = PeerServer({ port: workerData.port, host: workerData.host, path: '/peerjs', key: workerData.key, allow_discovery: false }, (server) => {
    parentPort.postMessage({ port: server.address().port });
  });
  app.on('error', () => {});
} catch (error) {
  parentPort.postMessage({ error: String(error && error.message || error) });
}
`;

/** A PeerJS server on loopback (npm `peer`), in its own worker thread. */
export async function startLabPeerJsServer(
  options: { host?: string; port?: number; key?: string } = {},
): Promise<LabPeerJsServer> {
  const host = options.host ?? '127.0.0.1';
  const key = options.key ?? 'peerjs';
  const server = await startWorkerServer('the PeerJS server', SERVER_CODE, {
    peerPath: require.resolve('peer'),
    host,
    port: options.port ?? 0,
    key,
  });
  const h = host.includes(':') ? `[${host}]` : host;
  return { url: `http://${h}:${server.port}/peerjs`, key, port: server.port, close: () => server.close() };
}
