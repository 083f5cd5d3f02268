/**
 * The servers in `pub`, all real: Debian's coturn twice (a STUN server with two addresses per family
 * for RFC 5780, and a TURN server of its own so that STUN can fail while TURN works) and `rtc-triage
 * lab --host` (the embedded STUN server, a GUN relay and a PeerJS server), bound to pub's addresses.
 * The TURN server is turn.lab.test (IPv4 and IPv6): UDP and TCP on 3478, TLS on 5349 and on 443 with
 * a certificate from the lab CA (coturn takes plain TCP on its TLS ports too, so TCP 443 works as
 * well). A scenario may add coturns that serve TLS only with a broken certificate (expired, or for
 * another name).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigInput } from '../../../src/contract';
import { NAMES, PUB, PUB6, STUN_PORT, TURN_443, TURN_PORT, TURN_TLS_PORT } from './addresses';
import { CLI_BIN } from './support';
import { labTls, type LabTls } from './tls';
import type { Topology } from './topology';

export const TURN_USER = 'labuser';
export const TURN_PASSWORD = 'labpass';

type Target = ConfigInput['targets'][number];

/** The TLS-only coturns with a broken certificate a scenario may start. */
export type BrokenTlsServer = 'expired' | 'mismatch';

/** Targets a scenario may add to (or use instead of) the usual ones. */
export type ExtraTargetId = 'turns-5349' | 'turns-443' | 'turn-tcp-443' | 'turns-expired' | 'turns-mismatch';

export interface PubServers {
  /** Targets as the user's config lists them (the lab's STUN over UDP, coturn's STUN over UDP and TCP, TURN over UDP and TCP by name, GUN, PeerJS). */
  targets: Target[];
  /** More targets on the same servers (turns-expired/turns-mismatch only when that coturn was started). */
  extra: Partial<Record<ExtraTargetId, Target>>;
  /** The certificates; the config's tls.caFile is `tls.caFile`. */
  tls: LabTls;
  stunB: { port: number };
  gun: { port: number };
  peerjs: { port: number };
}

/** pub's listening sockets (ss inside pub), one line each: `u 203.0.113.10:3478`, `t [2001:db8:ff::30]:443`. */
function listeners(topology: Topology): Set<string> {
  const out = topology.run('pub', ['ss', '-Hlntu']);
  return new Set(
    out
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((cols) => cols.length >= 5)
      .map((cols) => `${cols[0] === 'udp' ? 'u' : 't'} ${cols[4]}`),
  );
}

/** A check that pub listens on every address:port given, for the protocol. */
const listensOn =
  (topology: Topology, proto: 'u' | 't', addresses: readonly string[], ports: readonly number[]) => () => {
    const open = listeners(topology);
    return addresses.every((a) =>
      ports.every((port) => open.has(`${proto} ${a.includes(':') ? `[${a}]` : a}:${port}`)),
    );
  };

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

interface CoturnSetup {
  name: string;
  listen: string[];
  relay: string[];
  password: string;
  /** TLS on 5349 and on 443 (coturn's alternate TLS port) with this certificate; none: --no-tls. */
  tls?: { cert: string; key: string };
  /** Serve TLS only: no plain UDP/TCP listeners on 3478. */
  tlsOnly?: boolean;
  /** Relay ports (instances must not share a range). */
  relayPorts: [number, number];
}

function coturnArgs(dir: string, setup: CoturnSetup): string[] {
  const { name, tls } = setup;
  return [
    '/usr/bin/turnserver',
    '-n',
    ...setup.listen.map((address) => `--listening-ip=${address}`),
    `--listening-port=${STUN_PORT}`,
    ...setup.relay.map((address) => `--relay-ip=${address}`),
    `--min-port=${setup.relayPorts[0]}`,
    `--max-port=${setup.relayPorts[1]}`,
    ...(tls
      ? [
          `--tls-listening-port=${TURN_TLS_PORT}`,
          // coturn opens its "alternate" ports (RFC 5780's) whether or not it does RFC 5780
          `--alt-tls-listening-port=${TURN_443}`,
          `--cert=${tls.cert}`,
          `--pkey=${tls.key}`,
        ]
      : ['--no-tls']),
    ...(setup.tlsOnly ? ['--no-udp', '--no-tcp'] : []),
    '--no-dtls',
    '--no-cli',
    '--simple-log',
    `--log-file=${join(dir, `${name}.log`)}`,
    `--pidfile=${join(dir, `${name}.pid`)}`,
    `--userdb=${join(dir, `${name}.db`)}`,
    '--realm=lab.rtc-triage',
    '--lt-cred-mech',
    `--user=${TURN_USER}:${setup.password}`,
  ];
}

/**
 * Starts every server in pub and waits until each listens. `turnPassword` is the password coturn
 * accepts (the config always says TURN_PASSWORD: a different one here is the wrong-credentials drill).
 */
export async function startPubServers(
  topology: Topology,
  dir: string,
  options: { turnPassword?: string; broken?: readonly BrokenTlsServer[] } = {},
): Promise<PubServers> {
  mkdirSync(dir, { recursive: true });
  const tls = labTls();
  // two listening addresses per family: coturn answers RFC 5780 (OTHER-ADDRESS, CHANGE-REQUEST)
  const stun = topology.spawn(
    'pub',
    coturnArgs(dir, {
      name: 'stun',
      listen: [PUB.stunPrimary, PUB.stunAlternate, PUB6.stunPrimary, PUB6.stunAlternate],
      relay: [PUB.stunPrimary, PUB6.stunPrimary],
      password: TURN_PASSWORD,
      relayPorts: [40000, 44999],
    }),
  );
  const turn = topology.spawn(
    'pub',
    coturnArgs(dir, {
      name: 'turn',
      listen: [PUB.turn, PUB6.turn],
      relay: [PUB.turn, PUB6.turn],
      password: options.turnPassword ?? TURN_PASSWORD,
      tls: tls.turn,
      relayPorts: [49152, 59999],
    }),
  );
  const brokenAddress = { expired: 'turnExpired', mismatch: 'turnMismatch' } as const;
  const broken = (options.broken ?? []).map((which, index) => {
    const key = brokenAddress[which];
    const child = topology.spawn(
      'pub',
      coturnArgs(dir, {
        name: which,
        listen: [PUB[key], PUB6[key]],
        relay: [PUB[key], PUB6[key]],
        password: TURN_PASSWORD,
        tls: tls[which],
        tlsOnly: true,
        relayPorts: [45000 + index * 2000, 46999 + index * 2000],
      }),
    );
    return { which, key, child };
  });
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

  const both =
    (...checks: Array<() => boolean>) =>
    () =>
      checks.every((check) => check());
  await waitFor(
    'coturn (STUN)',
    both(
      listensOn(topology, 'u', [PUB.stunPrimary, PUB6.stunPrimary], [STUN_PORT]),
      listensOn(topology, 't', [PUB.stunPrimary], [STUN_PORT]),
      listensOn(topology, 'u', [PUB.stunAlternate, PUB6.stunAlternate], [STUN_PORT + 1]),
    ),
    stun,
    join(dir, 'stun.log'),
  );
  await waitFor(
    'coturn (TURN)',
    both(
      listensOn(topology, 'u', [PUB.turn, PUB6.turn], [TURN_PORT]),
      listensOn(topology, 't', [PUB.turn, PUB6.turn], [TURN_PORT, TURN_TLS_PORT, TURN_443]),
    ),
    turn,
    join(dir, 'turn.log'),
  );
  for (const { which, key, child } of broken) {
    await waitFor(
      `coturn (TLS, ${which} certificate)`,
      listensOn(topology, 't', [PUB[key], PUB6[key]], [TURN_TLS_PORT]),
      child,
      join(dir, `${which}.log`),
    );
  }
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
  const turnTarget = (id: string, url: string): Target => ({
    kind: 'turn',
    id,
    url,
    username: TURN_USER,
    credential: TURN_PASSWORD,
  });
  const extra: PubServers['extra'] = {
    'turns-5349': turnTarget('turns-5349', `turns:${NAMES.turn}:${TURN_TLS_PORT}`),
    'turns-443': turnTarget('turns-443', `turns:${NAMES.turn}:${TURN_443}`),
    'turn-tcp-443': turnTarget('turn-tcp-443', `turn:${NAMES.turn}:${TURN_443}?transport=tcp`),
  };
  if (options.broken?.includes('expired'))
    extra['turns-expired'] = turnTarget('turns-expired', `turns:${NAMES.turnExpired}:${TURN_TLS_PORT}`);
  if (options.broken?.includes('mismatch'))
    extra['turns-mismatch'] = turnTarget('turns-mismatch', `turns:${NAMES.turnMismatch}:${TURN_TLS_PORT}`);

  return {
    extra,
    tls,
    targets: [
      { kind: 'stun', id: 'stun-a', url: `stun:${PUB.stunPrimary}:${STUN_PORT}` },
      { kind: 'stun', id: 'stun-b', url: labStun.url },
      { kind: 'stun', id: 'stun-a-tcp', url: `stun:${PUB.stunPrimary}:${STUN_PORT}?transport=tcp` },
      turnTarget('turn-udp', `turn:${NAMES.turn}:${TURN_PORT}?transport=udp`),
      turnTarget('turn-tcp', `turn:${NAMES.turn}:${TURN_PORT}?transport=tcp`),
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
