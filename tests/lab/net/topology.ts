/**
 * The network lab's topology, made with `ip netns`, veth pairs and nft:
 *
 *   lanA ── natA ──┐                  ┌── natB ── lanB
 *   10.1.0.2   (MASQUERADE)   pub   (MASQUERADE)   10.2.0.2
 *   2001:db8:a::2  └ 198.51.100.0/30 ─ 203.0.113.x ─ 198.51.100.4/30 ┘  2001:db8:b::2
 *                    2001:db8:100:a::/64  2001:db8:ff::x  2001:db8:100:b::/64
 *
 * Dual stack: every namespace has IPv4 and IPv6 (2001:db8::/32 only), and the routers translate both
 * (MASQUERADE for ip and ip6, so a LAN's IPv6 addresses are as unreachable from outside as its 10.x
 * ones and the NAT scenarios mean the same in both families). pub holds the servers (on its loopback,
 * reached through its two WAN links) and routes between the two NATs. The testers resolve the lab's
 * host names from /etc/netns/<ns>/hosts (mounted over /etc/hosts by `ip netns exec`), and their
 * resolv.conf names only their own loopback, so no name query ever leaves them.
 *
 * Every namespace is named `rtl<pid>-<tag>-<role>`, so parallel runs never collide and a later run can
 * tell a stale one (its pid is dead) from a live one. Nothing is attached to the host's network or to
 * the namespace the caller runs in; destroy() removes every namespace (and with it every veth,
 * address, route and nft rule) and its /etc/netns files, and ends every process started in them.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostsFile, LAN, LAN6, PUB, PUB6, WAN, WAN6, type Side } from './addresses';

export type Role = 'pub' | 'natA' | 'natB' | 'lanA' | 'lanB';
export const ROLES: readonly Role[] = ['pub', 'natA', 'natB', 'lanA', 'lanB'];

/** How natA translates: Linux's port-preserving MASQUERADE, or `random-fully` (symmetric-like). */
export type NatMode = 'masquerade' | 'random-fully';

export interface TopologyOptions {
  nat?: NatMode;
  /**
   * Both routers drop unsolicited packets arriving on their WAN side, as home routers' firewalls do.
   * Direct peer-to-peer between the two LANs needs it: a packet dropped before conntrack confirms it
   * leaves no entry behind, so the router's own later outgoing flow to that peer keeps its port (hole
   * punching). Accepted, the peer's first probe claims the tuple and Linux moves the mapping to another
   * port. Off by default: the diagnosis scenarios were specified without it (see docs/lab.md).
   */
  dropUnsolicited?: boolean;
}

const NAME = /^rtl(\d+)-[a-z0-9]+-(pub|natA|natB|lanA|lanB)$/;

/** `ip netns exec <ns>` bind-mounts each file of /etc/netns/<ns>/ over the same file in /etc. */
const ETC_NETNS = '/etc/netns';
const etcDir = (ns: string) => join(ETC_NETNS, ns);

function ip(args: readonly string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 15_000 });
}

function namespaces(): string[] {
  const out = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: 15_000 }).stdout ?? '';
  return out
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter(Boolean);
}

function pidsIn(ns: string): number[] {
  const out = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', timeout: 15_000 }).stdout ?? '';
  return out
    .split('\n')
    .map(Number)
    .filter((pid) => Number.isInteger(pid) && pid > 0);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Our /etc/netns/<ns> folders (they outlive a namespace whose run died). */
function etcFolders(): string[] {
  try {
    return readdirSync(ETC_NETNS).filter((name) => NAME.test(name));
  } catch {
    return [];
  }
}

/** Removes a namespace's /etc/netns folder, and /etc/netns itself once nothing else is in it. */
function removeEtc(ns: string): void {
  rmSync(etcDir(ns), { recursive: true, force: true });
  try {
    rmdirSync(ETC_NETNS);
  } catch {
    // not empty (another namespace's files, or the system's own) or already gone
  }
}

/** Ends what still runs inside one of our namespaces (only our own processes live there), then deletes it. */
function removeNamespace(ns: string): void {
  for (const pid of pidsIn(ns)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore', timeout: 15_000 });
  removeEtc(ns);
}

const staleName = (ns: string) => {
  const match = NAME.exec(ns);
  return match !== null && Number(match[1]) !== process.pid && !alive(Number(match[1]));
};

/** Removes namespaces (and /etc/netns folders) left by a lab run that died (its pid is gone). Returns their names. */
export function removeStaleNamespaces(): string[] {
  const stale = [...new Set([...namespaces(), ...etcFolders()])].filter(staleName);
  for (const ns of stale) removeNamespace(ns);
  return stale;
}

const live = new Set<Topology>();
/** Tags used by this process: a second topology with the same names would remove the first's on failure. */
const usedTags = new Set<string>();
let exitHookInstalled = false;

/** Whatever way the process ends, its namespaces go with it. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const topology of live) topology.destroySync();
  });
}

export class Topology {
  readonly ns: Record<Role, string>;
  private readonly children = new Set<ChildProcess>();
  private destroyed = false;

  private constructor(tag: string) {
    const prefix = `rtl${process.pid}-${tag}`;
    this.ns = {
      pub: `${prefix}-pub`,
      natA: `${prefix}-natA`,
      natB: `${prefix}-natB`,
      lanA: `${prefix}-lanA`,
      lanB: `${prefix}-lanB`,
    };
  }

  /** Builds the five namespaces and their links; on any failure removes what was made and throws. */
  static build(tag: string, options: TopologyOptions = {}): Topology {
    if (!/^[a-z0-9]{1,12}$/.test(tag))
      throw new Error(`topology tag must be short lowercase letters/digits, got "${tag}"`);
    if (usedTags.has(tag)) throw new Error(`topology tag "${tag}" is already used by this process`);
    usedTags.add(tag);
    installExitHook();
    const topology = new Topology(tag);
    live.add(topology);
    try {
      topology.wire(options.nat ?? 'masquerade', options.dropUnsolicited ?? false);
    } catch (error) {
      topology.destroySync();
      throw error;
    }
    return topology;
  }

  private wire(nat: NatMode, dropUnsolicited: boolean): void {
    const n = this.ns;
    for (const role of ROLES) {
      ip(['netns', 'add', n[role]]);
      ip(['-n', n[role], 'link', 'set', 'lo', 'up']);
      // IPv6 on, router advertisements off: every address and route below is set by hand
      this.sysctl(role, 'net/ipv6/conf/all/disable_ipv6', '0');
      this.sysctl(role, 'net/ipv6/conf/default/disable_ipv6', '0');
      this.sysctl(role, 'net/ipv6/conf/all/accept_ra', '0');
      this.sysctl(role, 'net/ipv6/conf/default/accept_ra', '0');
    }
    for (const role of ['lanA', 'lanB'] as const) this.writeEtc(role);
    // links are made inside the namespaces (never in the caller's), named by their role there
    ip(['-n', n.pub, 'link', 'add', 'wa', 'type', 'veth', 'peer', 'name', 'wan', 'netns', n.natA]);
    ip(['-n', n.pub, 'link', 'add', 'wb', 'type', 'veth', 'peer', 'name', 'wan', 'netns', n.natB]);
    ip(['-n', n.natA, 'link', 'add', 'lan', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', n.lanA]);
    ip(['-n', n.natB, 'link', 'add', 'lan', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', n.lanB]);

    // IPv6 addresses without duplicate address detection: usable at once, not "tentative" for a second
    const addr6 = (ns: string, cidr: string, dev: string) =>
      ip(['-n', ns, 'addr', 'add', cidr, 'dev', dev, 'nodad']);
    for (const address of Object.values(PUB)) ip(['-n', n.pub, 'addr', 'add', `${address}/32`, 'dev', 'lo']);
    for (const address of Object.values(PUB6)) addr6(n.pub, `${address}/128`, 'lo');
    ip(['-n', n.pub, 'addr', 'add', `${WAN.A.pub}/${WAN.A.prefix}`, 'dev', 'wa']);
    ip(['-n', n.pub, 'addr', 'add', `${WAN.B.pub}/${WAN.B.prefix}`, 'dev', 'wb']);
    addr6(n.pub, `${WAN6.A.pub}/${WAN6.A.prefix}`, 'wa');
    addr6(n.pub, `${WAN6.B.pub}/${WAN6.B.prefix}`, 'wb');
    for (const side of ['A', 'B'] as const) {
      const router = this.ns[`nat${side}`];
      const tester = this.ns[`lan${side}`];
      ip(['-n', router, 'addr', 'add', `${WAN[side].nat}/${WAN[side].prefix}`, 'dev', 'wan']);
      ip(['-n', router, 'addr', 'add', `${LAN[side].router}/${LAN[side].prefix}`, 'dev', 'lan']);
      ip(['-n', tester, 'addr', 'add', `${LAN[side].tester}/${LAN[side].prefix}`, 'dev', 'eth0']);
      addr6(router, `${WAN6[side].nat}/${WAN6[side].prefix}`, 'wan');
      addr6(router, `${LAN6[side].router}/${LAN6[side].prefix}`, 'lan');
      addr6(tester, `${LAN6[side].tester}/${LAN6[side].prefix}`, 'eth0');
    }
    for (const [role, dev] of [
      ['pub', 'wa'],
      ['pub', 'wb'],
      ['natA', 'wan'],
      ['natA', 'lan'],
      ['natB', 'wan'],
      ['natB', 'lan'],
      ['lanA', 'eth0'],
      ['lanB', 'eth0'],
    ] as const) {
      ip(['-n', n[role], 'link', 'set', dev, 'up']);
    }
    for (const side of ['A', 'B'] as const) {
      ip(['-n', this.ns[`nat${side}`], 'route', 'add', 'default', 'via', WAN[side].pub]);
      ip(['-n', this.ns[`lan${side}`], 'route', 'add', 'default', 'via', LAN[side].router]);
      ip(['-n', this.ns[`nat${side}`], '-6', 'route', 'add', 'default', 'via', WAN6[side].pub]);
      ip(['-n', this.ns[`lan${side}`], '-6', 'route', 'add', 'default', 'via', LAN6[side].router]);
    }
    for (const role of ['pub', 'natA', 'natB'] as const) {
      this.sysctl(role, 'net/ipv4/ip_forward', '1');
      this.sysctl(role, 'net/ipv6/conf/all/forwarding', '1');
    }
    this.masquerade('A', nat);
    this.masquerade('B', 'masquerade');
    if (dropUnsolicited) for (const side of ['A', 'B'] as const) this.dropUnsolicited(side);
  }

  /** /proc/sys/net is per network namespace; written with sh so no procps is needed. */
  private sysctl(role: Role, key: string, value: string): void {
    this.run(role, ['sh', '-c', `echo ${value} > /proc/sys/${key}`]);
  }

  /** NAT44 and NAT66 alike, so a scenario's NAT behaves the same over IPv4 and IPv6. */
  private masquerade(side: Side, mode: NatMode): void {
    const table = (family: 'ip' | 'ip6') => `table ${family} nat {
        chain postrouting {
          type nat hook postrouting priority srcnat; policy accept;
          oifname "wan" masquerade${mode === 'random-fully' ? ' fully-random' : ''}
        }
      }`;
    this.nft(`nat${side}`, `${table('ip')}\n${table('ip6')}`);
  }

  /** The tester's /etc/hosts (the lab's names, both families) and a resolv.conf that asks no one. */
  private writeEtc(role: Role): void {
    const dir = etcDir(this.ns[role]);
    // another run removing an empty /etc/netns between our mkdir and write: try again (bounded)
    for (let attempt = 1; ; attempt++) {
      try {
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'hosts'), hostsFile());
        writeFileSync(join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw error;
      }
    }
  }

  /** A home router's firewall: nothing new comes in from the WAN, replies to what went out do. */
  private dropUnsolicited(side: Side): void {
    this.nft(
      `nat${side}`,
      `table inet router_firewall {
        chain input {
          type filter hook input priority filter; policy accept;
          iifname "wan" ct state new drop
        }
        chain forward {
          type filter hook forward priority filter; policy accept;
          iifname "wan" ct state new drop
        }
      }`,
    );
  }

  /** Runs a command inside one namespace and returns its stdout; throws with its stderr on failure. */
  run(role: Role, argv: readonly string[], input?: string): string {
    const result = spawnSync('ip', ['netns', 'exec', this.ns[role], ...argv], {
      encoding: 'utf8',
      input,
      timeout: 30_000,
    });
    if (result.error) throw result.error;
    if (result.status !== 0) {
      throw new Error(`${role}: ${argv.join(' ')} exited ${result.status}: ${result.stderr.trim()}`);
    }
    return result.stdout;
  }

  /** Loads an nft ruleset (nft -f syntax) into one namespace. */
  nft(role: Role, ruleset: string): void {
    this.run(role, ['nft', '-f', '-'], ruleset);
  }

  /** Starts a long-lived process inside one namespace; destroy() ends it. */
  spawn(role: Role, argv: readonly string[], options: SpawnOptions = {}): ChildProcess {
    if (this.destroyed) throw new Error('the topology is destroyed');
    const [command, ...args] = argv;
    if (!command) throw new Error('nothing to run');
    const child = spawn('ip', ['netns', 'exec', this.ns[role], command, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...options,
    });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  /** Ends every process (SIGTERM, then SIGKILL), then removes every namespace. Idempotent. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    const exits = [...this.children].map(
      (child) =>
        new Promise<void>((resolve) =>
          child.exitCode !== null || child.signalCode !== null
            ? resolve()
            : child.once('exit', () => resolve()),
        ),
    );
    for (const child of this.children) child.kill('SIGTERM');
    await Promise.race([Promise.all(exits), new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
    this.destroySync();
  }

  destroySync(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const child of this.children) child.kill('SIGKILL');
    for (const ns of Object.values(this.ns)) removeNamespace(ns);
    live.delete(this);
  }

  /** Namespaces of this topology, or their /etc/netns folders, that still exist (zero after destroy). */
  leftovers(): string[] {
    const present = new Set(namespaces());
    return Object.values(this.ns).flatMap((ns) => [
      ...(present.has(ns) ? [ns] : []),
      ...(existsSync(etcDir(ns)) ? [etcDir(ns)] : []),
    ]);
  }
}
