/**
 * The scenario table, shared by the vitest file (tests/lab/net/net-lab.test.ts) and `npm run lab`
 * (tests/lab/net/matrix.ts). Each scenario is a topology, a fault and what the verdict must be — the
 * issue's expectations, not what the code happens to say — plus the evidence that must back it.
 */
import type { ConfigInput, PathResult, Report, VerdictKind } from '../../../src/contract';
import { FAULTS, type Fault } from './faults';
import type { BrokenTlsServer, ExtraTargetId, PubServers } from './servers';
import { EXPIRED_ON, INTERCEPT_CA_NAME } from './tls';
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
  /** The issue's words. */
  title: string;
  nat?: NatMode;
  /** coturn (TURN) accepts this password; the config always gives the right one. */
  turnPassword?: string;
  fault?: Fault;
  /** TLS-only coturns with a broken certificate to start in pub. */
  broken?: readonly BrokenTlsServer[];
  /** The config's targets; default the usual ones (servers.targets). */
  targets?: (servers: PubServers) => ConfigInput['targets'];
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

/** The usual targets plus some of the extra ones (a TLS URL the app ships). */
const plus =
  (...ids: ExtraTargetId[]) =>
  (servers: PubServers): ConfigInput['targets'] => [
    ...servers.targets,
    ...ids.map((id) => {
      const extra = servers.extra[id];
      if (!extra) throw new Error(`pub has no ${id}`);
      return extra;
    }),
  ];

const matrixRow = (report: Report, id: string) => report.matrix.find((row) => row.targetId === id);

/** The matrix cells of a target that match, e.g. `{ transport: 'tls', port: 443 }`. */
function cells(
  report: Report,
  id: string,
  where: { transport?: string; port?: number; family?: 4 | 6 } = {},
) {
  return (matrixRow(report, id)?.cells ?? []).filter(
    (c) =>
      (where.transport === undefined || c.transport === where.transport) &&
      (where.port === undefined || c.port === where.port) &&
      (where.family === undefined || c.family === where.family),
  );
}

/** Every verdict text a support engineer reads: title, message, action and the evidence lines. */
const verdictText = (r: Report) =>
  [r.verdict.title, r.verdict.message, r.verdict.action, ...r.verdict.evidence.map((e) => e.summary)].join(
    '\n',
  );

/** A dropped packet is a timeout, a missing route unreachable: never the engine's own failure. */
const noInternalErrors = (r: Report): [boolean, string] => {
  const internal = r.attempts.filter((a) => a.errorClass === 'internal');
  return [
    internal.length === 0,
    `no attempt should end as an internal error: ${internal.map((a) => `${a.probe} ${a.targetId}: ${a.errorMessage ?? ''}`).join('; ')}`,
  ];
};

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
        // turn.lab.test answers on every column of the usual plan, over both families
        [
          cells(r, 'turn-udp').length === 10 && cells(r, 'turn-udp').every((c) => c.state === 'up'),
          `turn-udp's matrix should be 10 cells up (UDP/TCP 3478, TLS 5349, TCP/TLS 443 × IPv4/IPv6), is ${JSON.stringify(cells(r, 'turn-udp').map((c) => `${c.transport}:${c.port}/${c.family} ${c.state}`))}`,
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
        noInternalErrors(r),
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
  {
    id: 'only-tcp-443',
    title: 'only TCP 443 open (corporate firewall)',
    fault: FAULTS.only443,
    expect: {
      kind: 'network-restricted',
      local: 'pass',
      // no relayed session could run (every configured URL fails; the 443 cells the matrix found are
      // no configured URL), and no STUN answered: the path across networks was not tested either way
      crossNetwork: 'untested',
      summary: 'network-restricted: only TLS/TCP on 443 gets out',
    },
    evidence: (r) =>
      checks(
        [/port 443/.test(r.verdict.title), 'the title should say port 443'],
        [
          cells(r, 'turn-udp', { transport: 'tls', port: 443 }).some((c) => c.state === 'up'),
          "turn-udp's matrix should show TLS 443 up",
        ],
        [
          cells(r, 'turn-udp', { transport: 'udp' }).length > 0 &&
            cells(r, 'turn-udp', { transport: 'udp' }).every((c) => c.state === 'down'),
          "turn-udp's matrix should show UDP down",
        ],
        // the URL itself fails; the server answers on 443, so it may be called degraded
        statusIs(r, 'turn-udp', 'down', 'degraded'),
        statusIs(r, 'stun-a', 'down'),
        noInternalErrors(r),
      ),
  },
  {
    id: 'ipv6-only',
    title: 'IPv6 only (no IPv4 route out)',
    fault: FAULTS.ipv6Only,
    expect: {
      kind: 'network-restricted',
      local: 'pass',
      crossNetwork: 'pass',
      summary: 'network-restricted: IPv6-only; TURN by name works over IPv6',
    },
    evidence: (r) =>
      checks(
        [/IPv6-only/.test(r.verdict.title), 'the title should say IPv6-only'],
        [
          cells(r, 'turn-udp', { family: 6 }).some((c) => c.state === 'up'),
          "turn-udp's matrix should show IPv6 up",
        ],
        [
          cells(r, 'turn-udp', { family: 4 }).length > 0 &&
            cells(r, 'turn-udp', { family: 4 }).every((c) => c.state !== 'up'),
          "turn-udp's matrix should show no IPv4 cell up",
        ],
        statusIs(r, 'turn-udp', 'up', 'degraded'),
        statusIs(r, 'stun-a', 'down'),
        [relayPassed(r), 'a relayed session over IPv6 should connect'],
      ),
  },
  {
    id: 'tls-intercepted',
    title: 'TLS intercepted by a proxy with its own certificate',
    fault: FAULTS.tlsIntercepted,
    targets: plus('turns-443'),
    expect: {
      kind: 'network-restricted',
      local: 'pass',
      crossNetwork: 'fail',
      summary: 'network-restricted: a proxy intercepts TLS',
    },
    evidence: (r) =>
      checks(
        [/intercepts TLS/.test(r.verdict.title), 'the title should say something intercepts TLS'],
        statusIs(r, 'turns-443', 'down'),
        [
          attemptsOf(r, 'turn-allocation', (a) => a.targetId === 'turns-443').some(
            (a) => a.metrics.tlsIssuer === INTERCEPT_CA_NAME,
          ),
          `the turns: attempt should record the proxy's issuer (${INTERCEPT_CA_NAME})`,
        ],
        noInternalErrors(r),
      ),
  },
  {
    id: 'tls-expired',
    title: 'TURN TLS certificate expired',
    broken: ['expired'],
    targets: plus('turns-expired'),
    expect: {
      kind: 'partial-outage',
      local: 'pass',
      crossNetwork: 'pass',
      summary: 'partial-outage: turns: down, certificate expired (date named)',
    },
    evidence: (r) =>
      checks(
        statusIs(r, 'turns-expired', 'down'),
        [
          /expired/.test(verdictText(r)) && verdictText(r).includes(EXPIRED_ON),
          `the verdict should say the certificate expired on ${EXPIRED_ON}`,
        ],
        ...['stun-a', 'turn-udp', 'turn-tcp', 'gun', 'peerjs'].map((id) => statusIs(r, id, 'up')),
      ),
  },
  {
    id: 'tls-mismatch',
    title: 'TURN TLS certificate for another name',
    broken: ['mismatch'],
    targets: plus('turns-mismatch'),
    expect: {
      kind: 'partial-outage',
      local: 'pass',
      crossNetwork: 'pass',
      summary: 'partial-outage: turns: down, name mismatch',
    },
    evidence: (r) =>
      checks(
        statusIs(r, 'turns-mismatch', 'down'),
        [/name mismatch/.test(verdictText(r)), 'the verdict should say name mismatch'],
        ...['stun-a', 'turn-udp', 'turn-tcp', 'gun', 'peerjs'].map((id) => statusIs(r, id, 'up')),
      ),
  },
  {
    id: 'tls-private-ca',
    title: 'TURN over TLS only, certificate from a private CA (tls.caFile)',
    targets: (s) => [
      ...s.targets.filter((t) => t.kind !== 'turn'),
      ...(['turns-5349', 'turns-443'] as const).map((id) => s.extra[id] as ConfigInput['targets'][number]),
    ],
    expect: {
      kind: 'infrastructure-outage',
      local: 'pass',
      crossNetwork: 'fail',
      summary: 'WebRTC does not trust the certificate (as Chromium)',
    },
    evidence: (r) =>
      checks(
        [
          /does not trust the TURN server's certificate/.test(r.verdict.title),
          "the title should say WebRTC does not trust the TURN server's certificate",
        ],
        [/Chromium does the same/.test(r.verdict.message), 'the message should say Chromium does the same'],
        [
          attemptsOf(r, 'turn-allocation').every(
            (a) => a.outcome === 'success' && a.metrics.tlsTrustedBy === 'caFile',
          ),
          'every allocation should work, trusted through tls.caFile',
        ],
      ),
  },
];
