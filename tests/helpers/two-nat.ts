/**
 * Two testers on two networks behind two NATs, built inside the caller's network namespace (which
 * plays `pub`, the public side with the servers), all from real kernel parts:
 *
 *   lanA 10.0.1.2 ── natA (10.0.1.1 | 198.51.100.10) ──┐
 *                                                      pub (servers on 192.0.2.1, routes between)
 *   lanB 10.0.2.2 ── natB (10.0.2.1 | 203.0.113.20) ──┘
 *
 * natA/natB/lanA/lanB are network namespaces held by `sleep` processes (no /run/netns entries, so
 * nothing outside this namespace changes) that die with the caller (parent-death signal). A NAT is
 * nft MASQUERADE: port-preserving (Linux keeps the source port when it can: endpoint-independent
 * mapping) or `fully-random` (iptables: --random-fully; a new random port per destination: symmetric). Only documentation
 * address ranges are used, and the caller's namespace must be one the test made (checked).
 *
 * Kept in one file so it can move onto the network lab harness (tests/lab/net) as is.
 */
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readlinkSync } from 'node:fs';

export type NatKind = 'port-preserving' | 'symmetric';
export type Lan = 'lanA' | 'lanB';

/** Where the servers listen, in `pub`. */
export const SERVER_ADDRESS = '192.0.2.1';

const SIDES = {
  A: { uplink: '198.51.100', lan: '10.0.1' },
  B: { uplink: '203.0.113', lan: '10.0.2' },
} as const;

export interface TwoNat {
  /** The public address each NAT maps its LAN to. */
  readonly publicAddress: Record<'natA' | 'natB', string>;
  /** Starts a command inside a LAN's namespace. */
  spawnIn(lan: Lan, command: string, args: string[], options?: SpawnOptions): ChildProcess;
  close(): void;
}

function run(command: string, ...args: string[]): void {
  execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A network namespace held open by a `sleep` that dies with this process. */
function holder(): { pid: number; child: ChildProcess; ns: (command: string, ...args: string[]) => void } {
  const own = readlinkSync('/proc/self/ns/net');
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', 'unshare', '-n', 'sleep', 'infinity'], {
    stdio: 'ignore',
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start a namespace holder');
  // unshare execs sleep in place: wait until the process is in its new namespace
  for (let i = 0; i < 500; i++) {
    try {
      if (readlinkSync(`/proc/${pid}/ns/net`) !== own && readlinkSync(`/proc/${pid}/exe`).endsWith('sleep'))
        break;
    } catch {
      // not there yet
    }
    execFileSync('sleep', ['0.01']);
  }
  const ns = (command: string, ...args: string[]) =>
    run('nsenter', '-t', String(pid), '-n', command, ...args);
  ns('ip', 'link', 'set', 'lo', 'up');
  // IPv4 only: link-local IPv6 addresses would only add candidates that can never connect
  ns('sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1');
  return { pid, child, ns };
}

/**
 * The router's rules: MASQUERADE out of the uplink, and, like any home router's firewall, drop
 * unsolicited packets from the uplink. The drop matters: a packet dropped before conntrack confirms
 * it leaves no entry behind, so the router's own outgoing flow to that peer keeps its port (hole
 * punching); an accepted one would claim the tuple and push the mapping to another port.
 */
function natRules(kind: NatKind, uplink: string): string {
  return `table ip nat {
  chain post {
    type nat hook postrouting priority 100; policy accept;
    oifname "${uplink}" masquerade${kind === 'symmetric' ? ' fully-random' : ''}
  }
}
table ip filter {
  chain input {
    type filter hook input priority 0; policy accept;
    iifname "${uplink}" ct state new drop
  }
  chain forward {
    type filter hook forward priority 0; policy accept;
    iifname "${uplink}" ct state new drop
  }
}
`;
}

/** Builds the topology; `close()` removes it (the namespaces go with their holders). */
export function buildTwoNat(nats: Record<'natA' | 'natB', NatKind>): TwoNat {
  const lanes = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
  if (/ (upA|upB)[@:]/.test(lanes)) throw new Error('a two-NAT topology already exists in this namespace');
  const holders: ChildProcess[] = [];
  const lans: Partial<Record<Lan, number>> = {};
  try {
    const addresses = execFileSync('ip', ['-o', 'addr', 'show', 'dev', 'lo'], { encoding: 'utf8' });
    if (!addresses.includes(`${SERVER_ADDRESS}/32`))
      run('ip', 'addr', 'add', `${SERVER_ADDRESS}/32`, 'dev', 'lo');
    run('sysctl', '-qw', 'net.ipv4.ip_forward=1');
    for (const side of ['A', 'B'] as const) {
      const { uplink, lan } = SIDES[side];
      const nat = holder();
      const host = holder();
      holders.push(nat.child, host.child);
      // pub <-> nat: the NAT's public side
      run('ip', 'link', 'add', `up${side}`, 'type', 'veth', 'peer', 'name', `wan${side}`);
      run('ip', 'link', 'set', `wan${side}`, 'netns', String(nat.pid));
      run('ip', 'addr', 'add', `${uplink}.1/24`, 'dev', `up${side}`);
      run('ip', 'link', 'set', `up${side}`, 'up');
      nat.ns('ip', 'addr', 'add', `${uplink}.${side === 'A' ? 10 : 20}/24`, 'dev', `wan${side}`);
      nat.ns('ip', 'link', 'set', `wan${side}`, 'up');
      nat.ns('ip', 'route', 'add', 'default', 'via', `${uplink}.1`);
      // nat <-> lan: the private side
      nat.ns('ip', 'link', 'add', `lan${side}`, 'type', 'veth', 'peer', 'name', `eth${side}`);
      nat.ns('ip', 'link', 'set', `eth${side}`, 'netns', String(host.pid));
      nat.ns('ip', 'addr', 'add', `${lan}.1/24`, 'dev', `lan${side}`);
      nat.ns('ip', 'link', 'set', `lan${side}`, 'up');
      nat.ns('sysctl', '-qw', 'net.ipv4.ip_forward=1');
      execFileSync('nsenter', ['-t', String(nat.pid), '-n', 'nft', '-f', '-'], {
        input: natRules(nats[`nat${side}`], `wan${side}`),
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      host.ns('ip', 'addr', 'add', `${lan}.2/24`, 'dev', `eth${side}`);
      host.ns('ip', 'link', 'set', `eth${side}`, 'up');
      host.ns('ip', 'route', 'add', 'default', 'via', `${lan}.1`);
      lans[`lan${side}`] = host.pid;
    }
  } catch (error) {
    for (const child of holders) child.kill('SIGKILL');
    throw error;
  }
  return {
    publicAddress: { natA: `${SIDES.A.uplink}.10`, natB: `${SIDES.B.uplink}.20` },
    spawnIn: (lan, command, args, options = {}) =>
      spawn('nsenter', ['-t', String(lans[lan]), '-n', command, ...args], options),
    close: () => {
      for (const child of holders) child.kill('SIGKILL');
      // the pub ends of the veth pairs vanish with their peers; wait until they have
      for (let i = 0; i < 200; i++) {
        if (!/ (upA|upB)[@:]/.test(execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }))) break;
        execFileSync('sleep', ['0.01']);
      }
    },
  };
}
