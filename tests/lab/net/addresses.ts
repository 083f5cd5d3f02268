/**
 * The lab's address plan. Every address exists only inside the lab's own network namespaces:
 * documentation ranges (RFC 5737) for the "internet" side, RFC 1918 for the two LANs. Nothing is
 * attached to the host's network or to the namespace the tests run in.
 */
export const PUB = {
  /** coturn as a STUN server with two addresses, so RFC 5780 (OTHER-ADDRESS) works. */
  stunPrimary: '203.0.113.10',
  stunAlternate: '203.0.113.11',
  /** `rtc-triage lab --host`: the embedded STUN server, a GUN relay and a PeerJS server. */
  lab: '203.0.113.20',
  /** coturn as a TURN server (its own instance, so STUN can fail while TURN works). */
  turn: '203.0.113.30',
} as const;

export const STUN_PORT = 3478;
export const TURN_PORT = 3478;

/** The point-to-point links between pub and each NAT router's WAN side. */
export const WAN = {
  A: { pub: '198.51.100.1', nat: '198.51.100.2', prefix: 30 },
  B: { pub: '198.51.100.5', nat: '198.51.100.6', prefix: 30 },
} as const;

/** Each LAN: the router's inside address and the one tester behind it. */
export const LAN = {
  A: { router: '10.1.0.1', tester: '10.1.0.2', prefix: 24 },
  B: { router: '10.2.0.1', tester: '10.2.0.2', prefix: 24 },
} as const;

export type Side = 'A' | 'B';
