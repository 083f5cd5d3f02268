import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWorkerServer } from './worker-server';

export interface LabGunRelay {
  url: string;
  port: number;
  close(): Promise<void>;
}

// Runs in a worker thread. multicast:false: GUN otherwise multicasts to 233.255.255.255.
const RELAY_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
try {
  const Gun = require(workerData.gunPath);
  const server = http.createServer((req, res) => { res.statusCode = 404; res.end(); });
  Gun({ web: server, multicast: false, axe: false, file: workerData.dir, localStorage: false });
  server.on('error', (error) => parentPort.postMessage({ error: error.message }));
  server.listen(workerData.port, workerData.host, () => parentPort.postMessage({ port: server.address().port }));
} catch (error) {
  parentPort.postMessage({ error: String(error && error.message || error) });
}
`;

/** A GUN relay on loopback (npm `gun`), in its own worker thread, storing into a temp folder it removes on close. */
export async function startLabGunRelay(options: { host?: string; port?: number } = {}): Promise<LabGunRelay> {
  const host = options.host ?? '127.0.0.1';
  const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-gun-'));
  try {
    const server = await startWorkerServer('the GUN relay', RELAY_CODE, {
      gunPath: require.resolve('gun'),
      host,
      port: options.port ?? 0,
      dir: join(dir, 'radata'),
    });
    const h = host.includes(':') ? `[${host}]` : host;
    return {
      url: `http://${h}:${server.port}/gun`,
      port: server.port,
      close: async () => {
        await server.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
