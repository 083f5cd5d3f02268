/**
 * Child of tests/probes/ice-gathering.test.ts, run inside a loopback-only network namespace:
 * coturn (STUN + TURN with a user/password) and every probe run here, one JSON line per case.
 */
import { createSocket } from 'node:dgram';
import { configuredTarget } from '../../src/core/config/targets';
import { iceGatheringProbe } from '../../src/core/probes/ice-gathering';
import type { ConfiguredTarget, Probe } from '../../src/core/probes/types';
import { startCoturn } from '../helpers/coturn';
import { assertLoopbackOnly, nft, runCase, runThroughRunner, summary, timeouts } from './harness';

const probe = iceGatheringProbe as unknown as Probe;

/** Where the NAT below makes this machine appear to the STUN server. */
const PUBLIC_ADDRESS = '127.0.0.9';

function stun(url: string): ConfiguredTarget {
  return configuredTarget({ kind: 'stun', url, id: 'stun', layer: 'L2' });
}

function turn(url: string, username: string, credential: string): ConfiguredTarget {
  return configuredTarget({ kind: 'turn', url, username, credential, id: 'turn', layer: 'L2' });
}

async function main(): Promise<void> {
  assertLoopbackOnly();
  const coturn = await startCoturn();
  const silent = createSocket('udp4');
  await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
  const silentPort = silent.address().port;
  const closedPort = await new Promise<number>((resolve) => {
    const probeSocket = createSocket('udp4');
    probeSocket.bind(0, '127.0.0.1', () => {
      const { port } = probeSocket.address();
      probeSocket.close(() => resolve(port));
    });
  });
  const stunUrl = `stun:127.0.0.1:${coturn.port}`;
  const turnUrl = `turn:127.0.0.1:${coturn.port}?transport=udp`;
  const short = timeouts({ iceGatheringMs: 1500 });

  try {
    // No NAT yet: the server sees this machine's own address, libwebrtc drops the duplicate srflx.
    await runCase('stun-no-nat', async (ledger) =>
      summary(await runThroughRunner(probe, stun(stunUrl), { ledger })),
    );

    // A NAT in this namespace: packets to the server leave from PUBLIC_ADDRESS.
    nft('add', 'table', 'ip', 'triage');
    nft('add', 'chain', 'ip', 'triage', 'post', '{ type nat hook postrouting priority 100 ; }');
    nft(
      'add',
      'rule',
      'ip',
      'triage',
      'post',
      'ip',
      'daddr',
      '127.0.0.1',
      'udp',
      'dport',
      String(coturn.port),
      'snat',
      'to',
      PUBLIC_ADDRESS,
    );

    await runCase('stun-success', async (ledger) =>
      summary(await runThroughRunner(probe, stun(stunUrl), { ledger })),
    );
    await runCase('turn-success', async (ledger) =>
      summary(await runThroughRunner(probe, turn(turnUrl, coturn.user, coturn.password), { ledger })),
    );
    await runCase('turn-wrong-credentials', async (ledger) =>
      summary(await runThroughRunner(probe, turn(turnUrl, coturn.user, 'not-the-password'), { ledger })),
    );
    await runCase('stun-silent', async (ledger) =>
      summary(
        await runThroughRunner(probe, stun(`stun:127.0.0.1:${silentPort}`), { ledger, timeouts: short }),
      ),
    );
    await runCase('turn-closed-port', async (ledger) =>
      summary(
        await runThroughRunner(probe, turn(`turn:127.0.0.1:${closedPort}?transport=udp`, 'u', 'p'), {
          ledger,
          timeouts: short,
        }),
      ),
    );
    await runCase('stun-dns-failure', async (ledger) =>
      summary(
        await runThroughRunner(probe, stun('stun:no-such-host.invalid:3478'), { ledger, timeouts: short }),
      ),
    );
    await runCase('cancel-mid-gathering', async (ledger) => {
      const controller = new AbortController();
      const result = await runThroughRunner(probe, stun(`stun:127.0.0.1:${silentPort}`), {
        ledger,
        signal: controller.signal,
        onEvent: (event) => {
          if (event.name === 'ice.candidate') controller.abort();
        },
      });
      return summary(result);
    });
    await runCase('concurrent-gathering', async (ledger) => {
      const targets = [
        stun(stunUrl),
        turn(turnUrl, coturn.user, coturn.password),
        stun(stunUrl),
        turn(turnUrl, coturn.user, coturn.password),
        stun(stunUrl),
      ];
      const results = await Promise.all(targets.map((target) => runThroughRunner(probe, target, { ledger })));
      return { attempts: results.flatMap((r) => r.attempts) };
    });
  } finally {
    silent.close();
    await coturn.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
