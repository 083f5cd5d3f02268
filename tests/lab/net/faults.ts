/**
 * The faults the scenarios inject, each a real change in one namespace: nft rules on natA (the
 * user's router) or in pub (a server), a missing route in lanA. Each says in words what it does,
 * and `command` is what to type by hand to reproduce it (docs/lab.md).
 */
import { LAN, PUB, TURN_PORT } from './addresses';
import type { PubServers } from './servers';
import type { Role, Topology } from './topology';

export interface Fault {
  /** What it does, for the matrix and the docs. */
  describe: string;
  apply(topology: Topology, servers: PubServers): void;
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
    describe: 'lanA has no default route (its LAN link stays up)',
    apply: (topology) => {
      topology.run('lanA', ['ip', 'route', 'del', 'default', 'via', LAN.A.router]);
    },
  },
  /**
   * Local works, cross-network fails: a firewall that lets STUN and TURN's handshakes through but
   * drops relayed data — TURN ChannelData (first two bits 01) and Send indications (0x0016) — over
   * UDP and TCP, as media-blocking middleboxes do. Allocations succeed; no relayed session connects.
   */
  relayedDataBlocked: {
    describe: "natA drops TURN's relayed data (ChannelData, Send indications); allocations still succeed",
    apply: routerDrops(() => [
      `ip daddr ${PUB.turn} udp dport ${TURN_PORT} @ih,0,2 1 drop`,
      `ip daddr ${PUB.turn} udp dport ${TURN_PORT} @ih,0,16 0x0016 drop`,
      `ip daddr ${PUB.turn} tcp dport ${TURN_PORT} @ih,0,2 1 drop`,
      `ip daddr ${PUB.turn} tcp dport ${TURN_PORT} @ih,0,16 0x0016 drop`,
    ]),
  },
} satisfies Record<string, Fault>;
