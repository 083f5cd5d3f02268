/**
 * Child of tests/probes/peer-connection.test.ts, run inside a loopback-only network namespace:
 * coturn (STUN + TURN with a user/password), an nft NAT with and without hairpinning, and every
 * peer-connection path, one JSON line per case.
 */
import { createSocket } from 'node:dgram';
import { configuredTarget } from '../../src/core/config/targets';
import {
  peerConnectionHostProbe,
  peerConnectionRelayProbe,
  peerConnectionSrflxProbe,
} from '../../src/core/probes/peer-connection';
import { MACHINE_TARGET, type ConfiguredTarget, type Probe } from '../../src/core/probes/types';
import type { AttemptLedger } from '../../src/core/ledger/ledger';
import { startCoturn } from '../helpers/coturn';
import { assertLoopbackOnly, nft, runCase, runThroughRunner, summary, timeouts } from './harness';

const host = peerConnectionHostProbe as unknown as Probe;
const relay = peerConnectionRelayProbe as unknown as Probe;
const srflx = peerConnectionSrflxProbe as unknown as Probe;

/** Where the NAT below makes this machine appear to the STUN server. */
const PUBLIC_ADDRESS = '127.0.0.9';

function turn(url: string, username: string, credential: string): ConfiguredTarget {
  return configuredTarget({ kind: 'turn', url, username, credential, id: 'turn', layer: 'L2' });
}

/** Runs `count` host-path pairs at once on one ledger; `abortWhen` may cancel them all together. */
async function concurrentHostPairs(
  ledger: AttemptLedger,
  count: number,
  abortWhen?: (name: string) => boolean,
) {
  const controller = new AbortController();
  const results = await Promise.all(
    Array.from({ length: count }, () =>
      runThroughRunner(host, MACHINE_TARGET, {
        ledger,
        signal: controller.signal,
        onEvent: (event) => {
          if (abortWhen?.(event.name)) controller.abort();
        },
      }),
    ),
  );
  return { attempts: results.flatMap((r) => r.attempts) };
}

async function main(): Promise<void> {
  assertLoopbackOnly();
  const coturn = await startCoturn();
  const closedPort = await new Promise<number>((resolve) => {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
  const turnUrl = `turn:127.0.0.1:${coturn.port}?transport=udp`;
  const stunTarget = configuredTarget({
    kind: 'stun',
    url: `stun:127.0.0.1:${coturn.port}`,
    id: 'stun',
    layer: 'L2',
  });

  try {
    await runCase('host-success', async (ledger) =>
      summary(await runThroughRunner(host, MACHINE_TARGET, { ledger })),
    );
    await runCase('relay-success', async (ledger) =>
      summary(await runThroughRunner(relay, turn(turnUrl, coturn.user, coturn.password), { ledger })),
    );
    await runCase('relay-wrong-credentials', async (ledger) =>
      summary(await runThroughRunner(relay, turn(turnUrl, coturn.user, 'not-the-password'), { ledger })),
    );
    await runCase('relay-closed-port', async (ledger) =>
      summary(
        await runThroughRunner(relay, turn(`turn:127.0.0.1:${closedPort}?transport=udp`, 'u', 'p'), {
          ledger,
          timeouts: timeouts({ iceGatheringMs: 1500 }),
        }),
      ),
    );
    await runCase('cancel-mid-handshake', async (ledger) => {
      const controller = new AbortController();
      return summary(
        await runThroughRunner(host, MACHINE_TARGET, {
          ledger,
          signal: controller.signal,
          onEvent: (event) => {
            if (event.name === 'signal.offer.sent') controller.abort();
          },
        }),
      );
    });
    await runCase('concurrent-pairs', (ledger) => concurrentHostPairs(ledger, 6));
    await runCase('concurrent-teardown', (ledger) => {
      let offers = 0;
      return concurrentHostPairs(ledger, 5, (name) => name === 'signal.offer.sent' && ++offers === 5);
    });

    // A NAT: packets to the STUN server leave from PUBLIC_ADDRESS, so both peers get srflx candidates.
    nft('add', 'table', 'ip', 'triage');
    nft('add', 'chain', 'ip', 'triage', 'post', '{ type nat hook postrouting priority 100 ; }');
    nft('add', 'chain', 'ip', 'triage', 'out', '{ type nat hook output priority -100 ; }');
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
    // Without hairpinning, a packet to our own public address goes nowhere.
    await runCase('srflx-no-hairpin', async (ledger) =>
      summary(await runThroughRunner(srflx, stunTarget, { ledger, timeouts: timeouts({ connectMs: 2000 }) })),
    );
    // With hairpinning, the NAT sends it back in. libwebrtc's answering peer sometimes drops its own
    // srflx candidate (a wrtc quirk: up to half the runs here), so this case retries through the runner.
    nft('add', 'rule', 'ip', 'triage', 'out', 'ip', 'daddr', PUBLIC_ADDRESS, 'dnat', 'to', '127.0.0.1');
    await runCase('srflx-success', async (ledger) =>
      summary(await runThroughRunner(srflx, stunTarget, { ledger, maxAttempts: 20 })),
    );
    nft('delete', 'table', 'ip', 'triage');

    // All UDP and TCP dropped: candidates are gathered, but no check ever gets through.
    nft('add', 'table', 'inet', 'blocked');
    nft('add', 'chain', 'inet', 'blocked', 'out', '{ type filter hook output priority 0 ; }');
    nft('add', 'rule', 'inet', 'blocked', 'out', 'meta', 'l4proto', '{ udp, tcp }', 'drop');
    await runCase('host-blocked', async (ledger) =>
      summary(
        await runThroughRunner(host, MACHINE_TARGET, { ledger, timeouts: timeouts({ connectMs: 1500 }) }),
      ),
    );
    nft('delete', 'table', 'inet', 'blocked');

    // Loss once connected (the network lab's 30% loss): a path that connected and echoed works,
    // even when the bulk sample or most pings cannot get through in time.
    const dropOnceConnected = (rule: string[]) => (event: { name: string }) => {
      if (event.name !== 'peer.connected') return;
      nft('add', 'table', 'inet', 'lossy');
      nft('add', 'chain', 'inet', 'lossy', 'out', '{ type filter hook output priority 0 ; }');
      nft('add', 'rule', 'inet', 'lossy', 'out', ...rule, 'drop');
    };
    // large packets only: the pings (a few bytes) pass, the bulk sample (16 KB messages) never does
    await runCase('host-bulk-blocked-after-connect', async (ledger) =>
      summary(
        await runThroughRunner(host, MACHINE_TARGET, {
          ledger,
          onEvent: dropOnceConnected(['meta', 'l4proto', 'udp', 'meta', 'length', '>', '400']),
        }),
      ),
    );
    nft('delete', 'table', 'inet', 'lossy');
    await runCase('host-silent-after-connect', async (ledger) =>
      summary(
        await runThroughRunner(host, MACHINE_TARGET, {
          ledger,
          onEvent: dropOnceConnected(['meta', 'l4proto', 'udp']),
        }),
      ),
    );
    nft('delete', 'table', 'inet', 'lossy');
    // 30 % of the packets dropped once connected (the network lab's lossy path): the path still
    // works, and the quality echo over the unreliable channel reads the loss
    await runCase('host-lossy-after-connect', async (ledger) =>
      summary(
        await runThroughRunner(host, MACHINE_TARGET, {
          ledger,
          onEvent: dropOnceConnected([
            'meta',
            'l4proto',
            'udp',
            'numgen',
            'random',
            'mod',
            '100',
            'lt',
            '30',
          ]),
        }),
      ),
    );
    nft('delete', 'table', 'inet', 'lossy');
  } finally {
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
