import { testTempDir } from '../helpers/temp';
import { join } from 'node:path';
import {
  REPORT_SCHEMA,
  type AttemptReport,
  type Config,
  type Report,
  type TriageEvent,
} from '../../src/contract';
import { ConfigSchema } from '../../src/contract';
import type { ConfiguredTarget } from '../../src/core/probes/types';
import { HistoryStore } from '../../src/core/store/history';

/** Addresses a redacted bundle must never contain. */
export const SECRET_ADDRESSES = {
  hostV4: '192.168.1.23',
  srflxV4: '203.0.113.45',
  relayV4: '198.51.100.200',
  prflxV4: '10.20.30.40',
  hostV6: '2001:db8:85a3::8a2e:370:7334',
  linkLocalV6: 'fe80::1c2b:3dff:fe4e:5f60',
};
export const MACHINE = { hostname: 'triage-test-host-7731', username: 'alice-support' };
export const TURN_USER = 'turn-user-9981';
export const TURN_CREDENTIAL = 'S3cr3t-turn-pass';
/** A configured public server given by address: kept verbatim (docs/bundles.md). */
export const PUBLIC_SERVER_IP = '198.51.100.7';

export const CONFIG: Config = ConfigSchema.parse({
  targets: [
    { kind: 'stun', id: 'stun-ip', url: `stun:${PUBLIC_SERVER_IP}:3478` },
    {
      kind: 'turn',
      id: 'turn-a',
      url: 'turn:turn.example.org:3478?transport=udp',
      username: TURN_USER,
      credential: TURN_CREDENTIAL,
    },
    { kind: 'peerjs', id: 'peerjs-a', url: 'https://peerjs.example.org/peerjs', key: 'peerjs' },
  ],
});

export const TARGETS = CONFIG.targets.map(
  (t) => ({ ...t, id: t.id as string, layer: 'L2' }) as unknown as ConfiguredTarget,
);

/** A temp directory removed when the test finishes (tests/helpers/temp.ts). */
export function tempDir(prefix = 'rtc-triage-bundle-test-'): string {
  return testTempDir(prefix);
}

const A = SECRET_ADDRESSES;
const SDP = [
  'v=0',
  `o=- 4611 2 IN IP4 ${A.hostV4}`,
  `c=IN IP4 ${A.srflxV4}`,
  `a=candidate:1 1 udp 2122260223 ${A.hostV4} 54321 typ host`,
  `a=candidate:2 1 udp 2122262783 ${A.hostV6} 54322 typ host`,
  `a=candidate:3 1 udp 1686052607 ${A.srflxV4} 61000 typ srflx raddr ${A.hostV4} rport 54321`,
  `a=candidate:4 1 udp 41885439 ${A.relayV4} 50000 typ relay raddr ${A.srflxV4} rport 61000`,
  `a=candidate:5 1 udp 1845501695 ${A.prflxV4} 40000 typ prflx raddr ${A.linkLocalV6} rport 0`,
  'a=ice-pwd:abcdefghijklmnopqrstuvwx',
].join('\r\n');

let serial = 0;
function attempt(
  targetId: string,
  probe: string,
  at: number,
  ok: boolean,
  extra: Partial<AttemptReport> = {},
): AttemptReport {
  serial++;
  return {
    id: `att-${serial}`,
    correlationId: `corr-${serial}`,
    probe,
    targetId,
    attempt: 1,
    outcome: ok ? 'success' : 'error',
    stage: ok ? 'done' : 'allocate',
    errorClass: ok ? null : 'server-error',
    errorMessage: null,
    startedAt: new Date(at).toISOString(),
    durationMs: 123.5,
    metrics: {},
    ...extra,
  };
}

/** A history rich in addresses, SDP, a TURN credential and this machine's names; returns the db path. */
export function buildHistory(dir: string, now = Date.now()): { dbPath: string; report: Report } {
  const dbPath = join(dir, 'history.db');
  const store = HistoryStore.open(dbPath, { retentionDays: 0 });
  const runId = 'run-1';
  const start = now - 60 * 60_000;
  store.beginRun(runId, new Date(start), 'test', TARGETS);
  const attempts: Array<[AttemptReport, TriageEvent[]]> = [
    [
      attempt('stun-ip', 'stun-binding', start + 1000, true, {
        metrics: { mappedAddress: `${A.srflxV4}:61000`, localAddress: `[${A.hostV6}]:54322`, rttMs: 21 },
      }),
      [],
    ],
    [
      attempt('turn-a', 'turn-allocation', start + 2000, false, {
        errorMessage: `401 Unauthorized for ${TURN_USER} from ${A.hostV4} on ${MACHINE.hostname} (/home/${MACHINE.username}/app)`,
        metrics: { relayedAddress: `${A.relayV4}:50000`, server: 'turn.example.org' },
      }),
      [],
    ],
    [
      attempt('turn-a', 'peer-connection', start + 3000, true, {
        metrics: { path: 'relay', remote: `${A.prflxV4}`, local: A.linkLocalV6 },
      }),
      [],
    ],
  ];
  for (const [a] of attempts) {
    const events: TriageEvent[] = [
      {
        name: 'ice.candidate',
        at: a.startedAt,
        runId,
        attemptId: a.id,
        correlationId: a.correlationId,
        data: {
          candidate: `candidate:3 1 udp 1686052607 ${A.srflxV4} 61000 typ srflx raddr ${A.hostV4} rport 54321`,
        },
      },
      {
        name: 'signal.offer.sent',
        at: a.startedAt,
        runId,
        attemptId: a.id,
        data: { sdp: SDP, credential: TURN_CREDENTIAL, host: MACHINE.hostname },
      },
    ];
    store.recordAttempt(runId, a, events);
  }
  const report: Report = {
    schema: REPORT_SCHEMA,
    runId,
    startedAt: new Date(start).toISOString(),
    finishedAt: new Date(start + 5000).toISOString(),
    durationMs: 5000,
    verdict: {
      kind: 'partial-outage',
      local: 'pass',
      crossNetwork: 'pass',
      confidence: 0.8,
      title: 'One TURN server refuses allocations',
      message: `turn-a answered 401 to ${A.hostV4}`,
      action: 'Check the TURN credentials',
      evidence: [{ attemptId: 'att-2', summary: `401 from turn-a seen at ${A.srflxV4}` }],
    },
    targets: [
      {
        id: 'stun-ip',
        kind: 'stun',
        layer: 'L2',
        url: `stun:${PUBLIC_SERVER_IP}:3478`,
        status: 'up',
        rttMs: { p50: 21, p95: 21 },
      },
      {
        id: 'turn-a',
        kind: 'turn',
        layer: 'L2',
        url: 'turn:turn.example.org:3478?transport=udp',
        status: 'down',
        rttMs: null,
      },
    ],
    attempts: attempts.map(([a]) => a),
    patterns: [
      {
        kind: 'consecutive-failures',
        scope: 'target:turn-a',
        summary: `turn-a failed from ${A.hostV4}`,
        evidence: [],
      },
    ],
    matrix: [],
    cleanup: { opened: 1, released: 1, leaked: 0 },
  };
  store.finishRun(report);
  store.close();
  return { dbPath, report };
}

export function captureIo(): {
  io: { out(t: string): void; err(t: string): void; version: string };
  out: string[];
  err: string[];
} {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t) => out.push(t), err: (t) => err.push(t), version: '9.9.9-test' }, out, err };
}
