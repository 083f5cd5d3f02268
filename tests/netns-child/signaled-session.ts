/**
 * Child of tests/probes/signaled-session.test.ts, run inside a loopback-only network namespace: it
 * starts the embedded lab's GUN relay and PeerJS server, a WebSocket server that accepts and never
 * relays, and runs every signaled-session case through the real runner, one JSON line per case.
 */
import { createServer } from 'node:net';
import { configuredTarget } from '../../src/core/config/targets';
import { signaledSessionProbe } from '../../src/core/probes/signaled-session';
import type { ConfiguredTarget, Probe } from '../../src/core/probes/types';
import type { AttemptLedger } from '../../src/core/ledger/ledger';
import { startLabGunRelay, startLabPeerJsServer } from '../../src/lab';
import { startHostileWs } from '../helpers/hostile-ws';
import { assertLoopbackOnly, runCase, runThroughRunner, summary, timeouts } from './harness';

const probe = signaledSessionProbe as unknown as Probe;

function gun(url: string): ConfiguredTarget {
  return configuredTarget({ kind: 'gun', url, id: 'gun', layer: 'L1' });
}

/** A TCP port nothing listens on (bound, then closed). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** `count` sessions at once through one target, on one ledger. */
async function concurrentSessions(ledger: AttemptLedger, target: ConfiguredTarget, count: number) {
  const results = await Promise.all(
    Array.from({ length: count }, () => runThroughRunner(probe, target, { ledger })),
  );
  return { attempts: results.flatMap((r) => r.attempts) };
}

async function main(): Promise<void> {
  assertLoopbackOnly();
  const relay = await startLabGunRelay();
  const peerServer = await startLabPeerJsServer();
  const mute = await startHostileWs({ onConnection: () => {} });
  // accepts the subscriptions, then drops whichever client writes a signal
  const dropping = await startHostileWs({
    onConnection: (ws) => ws.on('message', (data) => String(data).includes('"put"') && ws.close()),
  });
  const deadPort = await closedPort();
  const peerjs = configuredTarget({
    kind: 'peerjs',
    url: peerServer.url,
    key: peerServer.key,
    id: 'peerjs',
    layer: 'L1',
  });
  try {
    await runCase('gun-success', async (ledger) =>
      summary(await runThroughRunner(probe, gun(relay.url), { ledger })),
    );
    await runCase('peerjs-success', async (ledger) =>
      summary(await runThroughRunner(probe, peerjs, { ledger })),
    );
    await runCase('gun-concurrent', (ledger) => concurrentSessions(ledger, gun(relay.url), 5));
    await runCase('gun-mute-relay', async (ledger) =>
      summary(
        await runThroughRunner(probe, gun(`${mute.url}/gun`), {
          ledger,
          timeouts: timeouts({ offerMs: 1000, connectMs: 2000 }),
        }),
      ),
    );
    await runCase('gun-drops-client', async (ledger) =>
      summary(await runThroughRunner(probe, gun(`${dropping.url}/gun`), { ledger })),
    );
    await runCase('gun-unreachable', async (ledger) =>
      summary(await runThroughRunner(probe, gun(`http://127.0.0.1:${deadPort}/gun`), { ledger })),
    );
    await runCase('peerjs-unreachable', async (ledger) =>
      summary(
        // a target of its own: the probe connects where its parsed URL says, not where `url` was patched to
        await runThroughRunner(
          probe,
          configuredTarget({
            kind: 'peerjs',
            url: `http://127.0.0.1:${deadPort}/peerjs`,
            key: peerServer.key,
            id: 'peerjs',
            layer: 'L1',
          }),
          { ledger },
        ),
      ),
    );
    for (const [name, target] of [
      ['gun-cancel-mid-handshake', gun(relay.url)],
      ['peerjs-cancel-mid-handshake', peerjs],
    ] as const) {
      await runCase(name, async (ledger) => {
        const controller = new AbortController();
        return summary(
          await runThroughRunner(probe, target, {
            ledger,
            signal: controller.signal,
            onEvent: (event) => {
              if (event.name === 'signal.offer.sent') controller.abort();
            },
          }),
        );
      });
    }
  } finally {
    await Promise.all([mute.close(), dropping.close()]);
    await Promise.all([relay.close(), peerServer.close()]);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
