/**
 * The servers in `pub`, all real: Debian's coturn twice (a STUN server with two addresses for RFC
 * 5780, and a TURN server of its own so that STUN can fail while TURN works) and `rtc-triage lab
 * --host` (the embedded STUN server, a GUN relay and a PeerJS server), bound to pub's addresses.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigInput } from '../../../src/contract';
import { PUB, STUN_PORT, TURN_PORT } from './addresses';
import { CLI_BIN } from './support';
import type { Topology } from './topology';

export const TURN_USER = 'labuser';
export const TURN_PASSWORD = 'labpass';

export interface PubServers {
  /** Targets as the user's config lists them (the lab's STUN over UDP, coturn's STUN over UDP and TCP, TURN over UDP and TCP, GUN, PeerJS). */
  targets: ConfigInput['targets'];
  stunB: { port: number };
  gun: { port: number };
  peerjs: { port: number };
}

/** Whether `pub` has a listener on address:port for the protocol (ss inside pub). */
function listening(topology: Topology, proto: 'u' | 't', address: string, port: number): boolean {
  const out = topology.run('pub', ['ss', '-Hln', `-${proto}`]);
  return out.includes(`${address}:${port} `);
}

async function waitFor(what: string, ready: () => boolean, child: ChildProcess, log?: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!ready()) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const tail = log ? readTail(log) : '';
      throw new Error(`${what} did not start (exit ${child.exitCode})${tail ? `:\n${tail}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function readTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-2000);
  } catch {
    return '';
  }
}

function coturnArgs(dir: string, name: string, listen: string[], relay: string, password: string): string[] {
  return [
    '/usr/bin/turnserver',
    '-n',
    ...listen.map((address) => `--listening-ip=${address}`),
    `--listening-port=${STUN_PORT}`,
    `--relay-ip=${relay}`,
    '--min-port=49152',
    '--max-port=59999',
    '--no-tls',
    '--no-dtls',
    '--no-cli',
    '--simple-log',
    `--log-file=${join(dir, `${name}.log`)}`,
    `--pidfile=${join(dir, `${name}.pid`)}`,
    `--userdb=${join(dir, `${name}.db`)}`,
    '--realm=lab.rtc-triage',
    '--lt-cred-mech',
    `--user=${TURN_USER}:${password}`,
  ];
}

/**
 * Starts every server in pub and waits until each listens. `turnPassword` is the password coturn
 * accepts (the config always says TURN_PASSWORD: a different one here is the wrong-credentials drill).
 */
export async function startPubServers(
  topology: Topology,
  dir: string,
  options: { turnPassword?: string } = {},
): Promise<PubServers> {
  mkdirSync(dir, { recursive: true });
  // two listening addresses of one family: coturn answers RFC 5780 (OTHER-ADDRESS, CHANGE-REQUEST)
  const stun = topology.spawn(
    'pub',
    coturnArgs(dir, 'stun', [PUB.stunPrimary, PUB.stunAlternate], PUB.stunPrimary, TURN_PASSWORD),
  );
  const turn = topology.spawn(
    'pub',
    coturnArgs(dir, 'turn', [PUB.turn], PUB.turn, options.turnPassword ?? TURN_PASSWORD),
  );
  const lab = topology.spawn('pub', [process.execPath, CLI_BIN, 'lab', '--json', '--host', PUB.lab]);
  const labConfig = new Promise<ConfigInput>((resolve, reject) => {
    let out = '';
    let err = '';
    lab.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) {
        try {
          resolve(JSON.parse(line) as ConfigInput);
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      }
    });
    lab.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    lab.once('exit', (code) => reject(new Error(`rtc-triage lab exited ${code}: ${err.trim()}`)));
  });
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error('rtc-triage lab printed no config within 20 s')), 20_000).unref(),
  );

  await waitFor(
    'coturn (STUN)',
    () =>
      listening(topology, 'u', PUB.stunPrimary, STUN_PORT) &&
      listening(topology, 't', PUB.stunPrimary, STUN_PORT) &&
      listening(topology, 'u', PUB.stunAlternate, STUN_PORT + 1),
    stun,
    join(dir, 'stun.log'),
  );
  await waitFor(
    'coturn (TURN)',
    () => listening(topology, 'u', PUB.turn, TURN_PORT) && listening(topology, 't', PUB.turn, TURN_PORT),
    turn,
    join(dir, 'turn.log'),
  );
  const labTargets = (await Promise.race([labConfig, timeout])).targets;
  const byId = (id: string) => {
    const target = labTargets.find((t) => t.id === id);
    if (!target) throw new Error(`rtc-triage lab listed no ${id}`);
    return target;
  };
  const labStun = byId('lab-stun-udp');
  const gun = byId('lab-gun');
  const peerjs = byId('lab-peerjs');
  const portOf = (url: string) => Number(/:(\d+)(?:[/?]|$)/.exec(url.replace(/^[a-z]+:\/\//, ''))?.[1]);

  return {
    targets: [
      { kind: 'stun', id: 'stun-a', url: `stun:${PUB.stunPrimary}:${STUN_PORT}` },
      { kind: 'stun', id: 'stun-b', url: labStun.url },
      { kind: 'stun', id: 'stun-a-tcp', url: `stun:${PUB.stunPrimary}:${STUN_PORT}?transport=tcp` },
      {
        kind: 'turn',
        id: 'turn-udp',
        url: `turn:${PUB.turn}:${TURN_PORT}?transport=udp`,
        username: TURN_USER,
        credential: TURN_PASSWORD,
      },
      {
        kind: 'turn',
        id: 'turn-tcp',
        url: `turn:${PUB.turn}:${TURN_PORT}?transport=tcp`,
        username: TURN_USER,
        credential: TURN_PASSWORD,
      },
      { kind: 'gun', id: 'gun', url: gun.url },
      {
        kind: 'peerjs',
        id: 'peerjs',
        url: peerjs.url,
        ...('key' in peerjs && peerjs.key ? { key: peerjs.key } : {}),
      },
    ],
    stunB: { port: portOf(labStun.url) },
    gun: { port: portOf(gun.url) },
    peerjs: { port: portOf(peerjs.url) },
  };
}
