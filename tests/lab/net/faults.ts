/**
 * The faults the scenarios inject, each a real change in one namespace: nft rules on natA (the
 * user's router) or in pub (a server), a missing route in lanA, a TLS-intercepting proxy on natA.
 * Each says in words what it does (docs/lab.md has the commands to reproduce them by hand). The
 * `inet` tables match IPv4 and IPv6 alike.
 */
import { join } from 'node:path';
import { LAN, LAN6, PUB, PUB6, TURN_443, TURN_PORT } from './addresses';
import type { PubServers } from './servers';
import { ROOT } from './support';
import type { Role, Topology } from './topology';

export interface Fault {
  /** What it does, for the matrix and the docs. */
  describe: string;
  apply(topology: Topology, servers: PubServers): void | Promise<void>;
}

/** Where natA's TLS-intercepting proxy listens (natA redirects the LAN's TCP 443 to it). */
export const PROXY_PORT = 8443;
const PROXY_SCRIPT = join(ROOT, 'tests', 'lab', 'net', 'tls-intercept-proxy.cjs');

/**
 * A "corporate" TLS inspection box on natA: the LAN's TCP 443 (both families) is redirected to a
 * Node TLS server presenting a certificate for turn.lab.test from another CA, which forwards the
 * decrypted bytes to coturn's plain TCP port; everything else the LAN sends out is dropped.
 */
async function interceptTls(topology: Topology, servers: PubServers): Promise<void> {
  const redirect = (family: 'ip' | 'ip6') => `table ${family} lab_intercept {
      chain prerouting {
        type nat hook prerouting priority dstnat; policy accept;
        iifname "lan" tcp dport ${TURN_443} redirect to :${PROXY_PORT}
      }
    }`;
  topology.nft('natA', `${redirect('ip')}\n${redirect('ip6')}`);
  filter(topology, 'natA', 'forward', ['iifname "lan" drop']);
  const { cert, key } = servers.tls.intercept;
  const proxy = topology.spawn('natA', [
    process.execPath,
    PROXY_SCRIPT,
    cert,
    key,
    String(PROXY_PORT),
    PUB.turn,
    PUB6.turn,
    String(TURN_PORT),
  ]);
  await new Promise<void>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error('the TLS proxy did not start within 10 s')), 10_000);
    proxy.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    proxy.stdout?.setEncoding('utf8').once('data', () => {
      clearTimeout(timer);
      resolve();
    });
    proxy.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the TLS proxy exited ${code}: ${err.trim()}`));
    });
  });
}

/** A filter chain in natA's forward path: what the user's router (or firewall) drops. */
function routerDrops(
  rules: (servers: PubServers) => string[],
): (topology: Topology, servers: PubServers) => void {
  return (topology, servers) => filter(topology, 'natA', 'forward', rules(servers));
}

function filter(topology: Topology, role: Role, hook: 'forward' | 'input', rules: string[]): void {
  topology.nft(
    role,
    `table inet lab_fault {
      chain ${hook}_filter {
        type filter hook ${hook} priority filter; policy accept;
        ${rules.join('\n        ')}
      }
    }`,
  );
}

export const FAULTS = {
  /** The seed's drill (`pfctl` blocking one STUN server), on the router. */
  oneStunBlocked: {
    describe: 'natA drops UDP to the second STUN server (the seed pfctl drill)',
    apply: routerDrops((s) => [`ip daddr ${PUB.lab} udp dport ${s.stunB.port} drop`]),
  },
  allStunBlocked: {
    describe: 'natA drops everything to both STUN servers (TURN, GUN and PeerJS still reachable)',
    apply: routerDrops((s) => [
      `ip daddr { ${PUB.stunPrimary}, ${PUB.stunAlternate} } drop`,
      `ip6 daddr { ${PUB6.stunPrimary}, ${PUB6.stunAlternate} } drop`,
      `ip daddr ${PUB.lab} udp dport ${s.stunB.port} drop`,
    ]),
  },
  /** A stopped server: the host answers its port with a TCP reset. */
  gunRelayDown: {
    describe: "pub resets connections to the GUN relay's port (as if it were stopped); PeerJS keeps running",
    apply: (topology, s) =>
      filter(topology, 'pub', 'input', [`tcp dport ${s.gun.port} reject with tcp reset`]),
  },
  udpBlocked: {
    describe: 'natA drops all UDP; TCP passes',
    apply: routerDrops(() => ['meta l4proto udp drop']),
  },
  loss30: {
    describe: 'natA drops 30% of the packets it forwards, both ways (nft numgen; no netem here)',
    apply: routerDrops(() => ['numgen random mod 100 < 30 drop']),
  },
  offline: {
    describe: 'lanA has no default route, IPv4 or IPv6 (its LAN link stays up)',
    apply: (topology) => {
      topology.run('lanA', ['ip', 'route', 'del', 'default', 'via', LAN.A.router]);
      topology.run('lanA', ['ip', '-6', 'route', 'del', 'default', 'via', LAN6.A.router]);
    },
  },
  ipv6Only: {
    describe: 'lanA has no IPv4 route out (its IPv4 default route is gone); IPv6 works',
    apply: (topology) => {
      topology.run('lanA', ['ip', 'route', 'del', 'default', 'via', LAN.A.router]);
    },
  },
  only443: {
    describe: 'natA forwards only TCP to port 443 from the LAN (IPv4 and IPv6); everything else is dropped',
    apply: routerDrops(() => [`iifname "lan" tcp dport ${TURN_443} accept`, 'iifname "lan" drop']),
  },
  tlsIntercepted: {
    describe:
      "natA redirects the LAN's TCP 443 to a TLS proxy with another CA's certificate for turn.lab.test (plaintext on to coturn's TCP 3478); everything else is dropped",
    apply: interceptTls,
  },
  /**
   * Local works, cross-network fails: a firewall that lets STUN and TURN's handshakes through but
   * drops relayed data — TURN ChannelData (first two bits 01) and Send indications (0x0016) — over
   * UDP and TCP, as media-blocking middleboxes do. Allocations succeed; no relayed session connects.
   */
  relayedDataBlocked: {
    describe: "natA drops TURN's relayed data (ChannelData, Send indications); allocations still succeed",
    apply: routerDrops(() =>
      [`ip daddr ${PUB.turn}`, `ip6 daddr ${PUB6.turn}`].flatMap((to) => [
        `${to} udp dport ${TURN_PORT} @ih,0,2 1 drop`,
        `${to} udp dport ${TURN_PORT} @ih,0,16 0x0016 drop`,
        `${to} tcp dport ${TURN_PORT} @ih,0,2 1 drop`,
        `${to} tcp dport ${TURN_PORT} @ih,0,16 0x0016 drop`,
      ]),
    ),
  },
} satisfies Record<string, Fault>;
