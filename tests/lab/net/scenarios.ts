/**
 * The scenario table, shared by the vitest file (tests/lab/net/net-lab.test.ts) and `npm run lab`
 * (tests/lab/net/matrix.ts). Each scenario is a topology, a fault and what the verdict must be — the
 * issue's expectations, not what the code happens to say — plus the evidence that must back it.
 */
import type { ConfigInput, PathResult, Report, VerdictKind } from '../../../src/contract';
import { FAULTS, type Fault } from './faults';
import type { NatMode } from './topology';

export interface Expected {
  kind: VerdictKind;
  local: PathResult;
  crossNetwork: PathResult;
  /** For the matrix: the verdict and what backs it, in a few words. */
  summary: string;
}

export interface Scenario {
  id: string;
  /** The words. */
  title: string;
  nat?: NatMode;
  /** coturn (TURN) accepts this password; the config always gives the right one. */
  turnPassword?: string;
  fault?: Fault;
  /** `lossy`: the product's default-like timeouts and three attempts, as a lossy network needs. */
  timing?: 'short' | 'lossy';
  expect: Expected;
  /** What must be true of the report besides kind/local/crossNetwork; returns the problems found. */
  evidence(report: Report): string[];
}

/** Short per-stage timeouts keep the matrix to a few minutes; the loopback-fast lab answers well within them. */
export const TIMINGS: Record<'short' | 'lossy', Omit<ConfigInput, 'targets'>> = {
  short: {
    timeouts: { stunMs: 1500, iceGatheringMs: 3000, offerMs: 3000, answerMs: 3000, connectMs: 5000 },
    retry: { maxAttempts: 2, baseDelayMs: 200, maxDelayMs: 1000, multiplier: 2, jitter: 'full' },
    concurrency: 4,
  },
  // every attempt still ends within 30 s: offer + answer + ICE + connect + echo + sample < 30 s
  lossy: {
    timeouts: { stunMs: 3000, iceGatheringMs: 5000, offerMs: 3000, answerMs: 3000, connectMs: 10000 },
    retry: { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 2000, multiplier: 2, jitter: 'full' },
    concurrency: 6,
  },
};

const target = (report: Report, id: string) => report.targets.find((t) => t.id === id);
const url = (report: Report, id: string) => target(report, id)?.url ?? `<no target ${id}>`;

/** Collects failed expectations as plain sentences. */
function checks(...items: Array<[boolean, string]>): string[] {
  return items.filter(([ok]) => !ok).map(([, problem]) => problem);
}

function statusIs(report: Report, id: string, ...statuses: string[]): [boolean, string] {
  const status = target(report, id)?.status ?? 'missing';
  return [statuses.includes(status), `target ${id} should be ${statuses.join(' or ')}, is ${status}`];
}

function attemptsOf(
  report: Report,
  probe: string,
  filter: (a: Report['attempts'][number]) => boolean = () => true,
) {
  return report.attempts.filter((a) => a.probe === probe && filter(a));
}

const relayPassed = (report: Report) =>
  attemptsOf(report, 'peer-connection', (a) => a.metrics.path === 'relay' && a.outcome === 'success').length >
  0;

export const SCENARIOS: Scenario[] = [
  {
    id: 'healthy',
    title: 'healthy',
    expect: {
      kind: 'healthy',
      local: 'pass',
      crossNetwork: 'pass',
      summary: 'healthy; every server up, relay works',
    },
    evidence: (r) =>
      checks(
        ...['stun-a', 'stun-b', 'stun-a-tcp', 'turn-udp', 'turn-tcp', 'gun', 'peerjs'].map((id) =>
          statusIs(r, id, 'up'),
        ),
        [relayPassed(r), 'a relayed session through TURN should have connected'],
        [
          attemptsOf(r, 'nat-behavior', (a) => a.metrics.mapping === 'endpoint-independent').length > 0,
          'RFC 5780 should find the MASQUERADE NAT endpoint-independent',
        ],
      ),
  },
  {
    id: 'stun-one-blocked',
    title: 'one of two STUN servers blocked',
    fault: FAULTS.oneStunBlocked,
    expect: {
      kind: 'partial-outage',
      local: 'pass',
      crossNetwork: 'pass',
      summary: 'partial-outage naming stun-b',
    },
    evidence: (r) =>
      checks(
        [r.verdict.message.includes(url(r, 'stun-b')), 'the message should name the blocked STUN server'],
        [
          !r.verdict.message.includes(`${url(r, 'stun-a')} `),
          'the message should not name the working STUN server',
        ],
        statusIs(r, 'stun-b', 'down'),
        statusIs(r, 'stun-a', 'up'),
        [r.verdict.evidence.some((e) => e.targetId === 'stun-b'), 'the evidence should include stun-b'],
      ),
  },
  {
    id: 'stun-all-blocked',
    title: 'all STUN blocked',
    fault: FAULTS.allStunBlocked,
    expect: {
      kind: 'infrastructure-outage',
      local: 'pass',
      crossNetwork: 'pass',
      summary: 'infrastructure-outage: no STUN',
    },
    evidence: (r) =>
      checks(
        [/STUN/.test(r.verdict.title), 'the title should say STUN'],
        [
          r.verdict.message.includes(url(r, 'stun-a')) && r.verdict.message.includes(url(r, 'stun-b')),
          'the message should name both STUN servers',
        ],
        [
          /not the app and not the user/.test(r.verdict.message),
          'the message should clear the app and the user',
        ],
        statusIs(r, 'turn-udp', 'up', 'degraded'),
        statusIs(r, 'gun', 'up'),
      ),
  },
  {
    id: 'gun-down',
    title: 'GUN relay down while PeerJS works',
    fault: FAULTS.gunRelayDown,
    expect: {
      kind: 'infrastructure-outage',
      local: 'pass',
      crossNetwork: 'pass',
      summary: 'infrastructure-outage: GUN; PeerJS named working',
    },
    evidence: (r) =>
      checks(
        [/GUN/.test(r.verdict.title), 'the title should say GUN'],
        [r.verdict.message.includes(url(r, 'gun')), 'the message should name the GUN relay'],
        [/PeerJS/.test(r.verdict.message), 'the message should say PeerJS signaling still works'],
        statusIs(r, 'gun', 'down'),
        statusIs(r, 'peerjs', 'up'),
        [
          attemptsOf(r, 'gun-signaling').every((a) => a.errorClass === 'refused'),
          'the GUN relay should be "refused" (nothing listens), not a timeout',
        ],
      ),
  },
  {
    id: 'udp-blocked',
    title: 'UDP blocked, TCP/TLS open',
    fault: FAULTS.udpBlocked,
    expect: {
      kind: 'network-restricted',
      local: 'pass',
      crossNetwork: 'pass',
      summary: 'network-restricted; TURN over TCP/TLS suggested',
    },
    evidence: (r) =>
      checks(
        [/UDP is blocked/.test(r.verdict.title), 'the title should say UDP is blocked'],
        [/TURN server over TCP or TLS/.test(r.verdict.action), 'the action should suggest TURN over TCP/TLS'],
        statusIs(r, 'stun-a-tcp', 'up'),
        statusIs(r, 'turn-tcp', 'up', 'degraded'),
        statusIs(r, 'stun-a', 'down'),
      ),
  },
  {
    id: 'symmetric-nat',
    title: 'symmetric NAT (relay required)',
    nat: 'random-fully',
    expect: {
      kind: 'network-restricted',
      local: 'pass',
      crossNetwork: 'pass',
      summary: 'network-restricted: TURN needed, relay works',
    },
    evidence: (r) =>
      checks(
        [
          attemptsOf(r, 'nat-behavior', (a) =>
            /address(-and-port)?-dependent/.test(String(a.metrics.mapping)),
          ).length > 0,
          'RFC 5780 should find an address-dependent mapping',
        ],
        [/needs a TURN relay/.test(r.verdict.title), 'the title should say a TURN relay is needed'],
        [relayPassed(r), 'the relayed session should still connect'],
      ),
  },
  {
    id: 'loss-30',
    title: '30% packet loss (still connects, degraded)',
    fault: FAULTS.loss30,
    timing: 'lossy',
    expect: {
      kind: 'healthy',
      local: 'pass',
      crossNetwork: 'pass',
      summary: 'healthy (connects), targets degraded',
    },
    evidence: (r) =>
      checks(
        [
          r.targets.some((t) => t.status === 'degraded'),
          'some target should be degraded (retries, failed tests)',
        ],
        [!r.targets.some((t) => t.status === 'down'), 'no target should be down'],
        [relayPassed(r), 'a relayed session should still connect'],
      ),
  },
  {
    id: 'offline',
    title: 'fully offline',
    fault: FAULTS.offline,
    expect: {
      kind: 'offline',
      local: 'pass',
      crossNetwork: 'fail',
      summary: 'offline; no route to anything',
    },
    evidence: (r) =>
      checks(
        [
          r.verdict.evidence.length > 0 &&
            r.verdict.evidence.every((e) => /unreachable|no route/.test(e.summary)),
          'every deciding attempt should say no route',
        ],
        [!r.attempts.some((a) => a.errorClass === 'internal'), 'no attempt should end as an internal error'],
      ),
  },
  {
    id: 'cross-network-fails',
    title: 'local works but cross-network fails',
    fault: FAULTS.relayedDataBlocked,
    expect: {
      kind: 'network-restricted',
      local: 'pass',
      crossNetwork: 'fail',
      summary: 'network-restricted: only local connections succeed',
    },
    evidence: (r) =>
      checks(
        [
          /Only local connections succeed/.test(r.verdict.title),
          'the title should say only local connections succeed',
        ],
        [
          attemptsOf(r, 'turn-allocation', (a) => a.outcome === 'success').length === 2,
          'both TURN allocations should succeed (the servers answer)',
        ],
        [!relayPassed(r), 'no relayed session should connect'],
      ),
  },
  {
    id: 'turn-wrong-credentials',
    title: 'TURN with wrong credentials',
    turnPassword: 'not-the-configured-password',
    expect: {
      kind: 'app-suspect',
      local: 'pass',
      crossNetwork: 'pass',
      summary: 'credentials rejected (401), not down',
    },
    evidence: (r) =>
      checks(
        [/credentials/.test(r.verdict.title), 'the title should say the credentials are rejected'],
        [
          !/\bdown\b|outage/i.test(`${r.verdict.title} ${r.verdict.message}`),
          'the verdict must not call the server down',
        ],
        [
          r.verdict.evidence.some((e) => /credentials rejected \((401|441)\)/.test(e.summary)),
          'the evidence should show the 401/441',
        ],
        [
          attemptsOf(r, 'turn-allocation').every(
            (a) => a.metrics.errorCode === 401 || a.metrics.errorCode === 441,
          ),
          'every allocation should be refused with 401/441',
        ],
      ),
  },
];
