/**
 * The lab's address plan. Every address exists only inside the lab's own network namespaces:
 * documentation ranges (RFC 5737 and, for IPv6, RFC 3849's 2001:db8::/32) for the "internet" side,
 * RFC 1918 and 2001:db8 subnets for the two LANs. Nothing is attached to the host's network or to the
 * namespace the tests run in.
 */
export const PUB = {
  /** coturn as a STUN server with two addresses, so RFC 5780 (OTHER-ADDRESS) works. */
  stunPrimary: '203.0.113.10',
  stunAlternate: '203.0.113.11',
  /** `rtc-triage lab --host`: the embedded STUN server, a GUN relay and a PeerJS server (IPv4 only). */
  lab: '203.0.113.20',
  /** coturn as a TURN server (its own instance, so STUN can fail while TURN works). */
  turn: '203.0.113.30',
  /** coturn over TLS only, with an expired certificate (the tls-expired scenario). */
  turnExpired: '203.0.113.31',
  /** coturn over TLS only, with a certificate for another name (the tls-mismatch scenario). */
  turnMismatch: '203.0.113.32',
} as const;

/** The same servers' IPv6 addresses (the embedded lab has none: it binds one address). */
export const PUB6 = {
  stunPrimary: '2001:db8:ff::10',
  stunAlternate: '2001:db8:ff::11',
  turn: '2001:db8:ff::30',
  turnExpired: '2001:db8:ff::31',
  turnMismatch: '2001:db8:ff::32',
} as const;

/**
 * Host names the testers resolve (/etc/netns/<ns>/hosts, which `ip netns exec` mounts over /etc/hosts),
 * each to its IPv4 and IPv6 address. Under `.test` (RFC 6761): no resolver anywhere knows them.
 */
export const NAMES = {
  turn: 'turn.lab.test',
  turnExpired: 'expired.lab.test',
  turnMismatch: 'mismatch.lab.test',
} as const;

/** What the name-mismatch certificate is for instead (it names no lab host). */
export const MISMATCH_CERT_NAME = 'turn.other.example';

export const STUN_PORT = 3478;
export const TURN_PORT = 3478;
/** coturn's TLS listener (it also takes plain TCP on it). */
export const TURN_TLS_PORT = 5349;
/** coturn's alternate TLS listener, on the port corporate firewalls leave open (it takes plain TCP too). */
export const TURN_443 = 443;

/** The point-to-point links between pub and each NAT router's WAN side. */
export const WAN = {
  A: { pub: '198.51.100.1', nat: '198.51.100.2', prefix: 30 },
  B: { pub: '198.51.100.5', nat: '198.51.100.6', prefix: 30 },
} as const;

export const WAN6 = {
  A: { pub: '2001:db8:100:a::1', nat: '2001:db8:100:a::2', prefix: 64 },
  B: { pub: '2001:db8:100:b::1', nat: '2001:db8:100:b::2', prefix: 64 },
} as const;

/** Each LAN: the router's inside address and the one tester behind it. */
export const LAN = {
  A: { router: '10.1.0.1', tester: '10.1.0.2', prefix: 24 },
  B: { router: '10.2.0.1', tester: '10.2.0.2', prefix: 24 },
} as const;

/** Behind NAT66 (masquerade, like IPv4): pub has no route to these, as it has none to 10.x. */
export const LAN6 = {
  A: { router: '2001:db8:a::1', tester: '2001:db8:a::2', prefix: 64 },
  B: { router: '2001:db8:b::1', tester: '2001:db8:b::2', prefix: 64 },
} as const;

export type Side = 'A' | 'B';

/**
 * The testers' /etc/hosts: localhost, and every lab name with both its addresses. Each name is also
 * listed fully qualified (a trailing dot): Chromium's WebRTC resolver asks for `turn.lab.test.`, which
 * DNS would answer but a hosts file only matches as written.
 */
export function hostsFile(): string {
  const lines = ['127.0.0.1 localhost', '::1 localhost ip6-localhost ip6-loopback'];
  for (const key of Object.keys(NAMES) as Array<keyof typeof NAMES>) {
    const names = `${NAMES[key]} ${NAMES[key]}.`;
    lines.push(`${PUB[key]} ${names}`, `${PUB6[key]} ${names}`);
  }
  return `${lines.join('\n')}\n`;
}
