import { describe, expect, it } from 'vitest';
import {
  cellMetrics,
  MATRIX_PROBE,
  type AttemptReport,
  type CellTransport,
  type MatrixCell,
  type TargetReport,
} from '../../src/contract';
import { verdictFor } from '../../src/core/analysis/verdict';
import { attempt } from './history-fixture';

// Issue 18, item 2: the verdicts the transport matrix decides (the network, not the servers), and
// the ones it must leave alone. Real coturn behind a real firewall: tests/probes/transport-matrix.test.ts.

const T0 = Date.parse('2026-01-01T12:00:00Z');
const target = (id: string, kind: TargetReport['kind'], url: string): TargetReport => ({
  id,
  kind,
  layer: 'L2',
  url,
  status: 'untested',
  rttMs: null,
});
const TURN = target('turn-a', 'turn', 'turn:turn.test:3478?transport=udp');
const STUN = target('stun-a', 'stun', 'stun:192.0.2.1:3478');
const LOCAL: AttemptReport = attempt('local-machine', 'peer-connection', T0, true, { path: 'host' });

type CellSpec = [CellTransport, number, 4 | 6, MatrixCell['state'], string?, string?];
const cell = ([transport, port, family, state, cause, detail]: CellSpec): MatrixCell => ({
  transport,
  port,
  family,
  state,
  rttMs: state === 'up' ? 12 : null,
  cause: cause ?? null,
  detail: detail ?? null,
  configured: transport === 'udp' && port === 3478,
});

function matrix(cells: CellSpec[], at = T0 + 5): AttemptReport {
  const up = cells.some((c) => c[3] === 'up');
  return attempt(
    'turn-a',
    MATRIX_PROBE,
    at,
    up,
    { host: 'turn.test', ...Object.assign({}, ...cells.map((c) => cellMetrics(cell(c)))) },
    'timeout',
  );
}

const verdict = (attempts: AttemptReport[], targets = [TURN]) =>
  verdictFor({ targets, attempts: [LOCAL, ...attempts], appFailing: false, cancelled: false });

const V6_NONE: CellSpec[] = (['udp', 'tcp', 'tls'] as const).map((t) => [
  t,
  t === 'tls' ? 443 : 3478,
  6,
  'not-offered',
  'no-address',
]);

describe('verdicts from the transport matrix', () => {
  it('only TLS on 443 answers: network-restricted, naming the turns: URL to ship (not an outage)', () => {
    const v = verdict([
      attempt('turn-a', 'turn-allocation', T0 + 1, false, { transport: 'udp' }, 'timeout'),
      matrix([
        ['udp', 3478, 4, 'down', 'timeout'],
        ['tcp', 3478, 4, 'down', 'timeout'],
        ['tls', 5349, 4, 'down', 'timeout'],
        ['tcp', 443, 4, 'down', 'timeout'],
        ['tls', 443, 4, 'up'],
        ...V6_NONE,
      ]),
    ]);
    expect(v.kind).toBe('network-restricted');
    expect(v.title).toBe('Only TLS on port 443 gets through: this network blocks UDP and the other ports');
    expect(v.action).toContain('turns:turn.test:443');
    // the finding itself travels with the verdict, for whoever words it for a call (calls/explain.ts)
    expect(v.transports).toEqual({ restriction: 'only-443', working: [{ transport: 'tls', port: 443 }] });
    expect(v.evidence.map((e) => e.summary).join('\n')).toMatch(
      /turn-allocation over udp .* failed: timeout/,
    );
  });

  it('UDP dropped while TCP on the same port answers: UDP is blocked', () => {
    const v = verdict([
      attempt('turn-a', 'turn-allocation', T0 + 1, false, { transport: 'udp' }, 'timeout'),
      matrix([
        ['udp', 3478, 4, 'down', 'timeout'],
        ['tcp', 3478, 4, 'up'],
        ['tls', 443, 4, 'not-offered', 'refused'],
      ]),
    ]);
    expect(v.kind).toBe('network-restricted');
    expect(v.title).toBe('UDP is blocked on this network');
    expect(v.action).toContain('turn:turn.test:3478?transport=tcp');
    expect(v.transports).toEqual({ restriction: 'udp-blocked', working: [{ transport: 'tcp', port: 3478 }] });
  });

  it('a STUN server answering over UDP means UDP is not blocked: the matrix does not decide', () => {
    const v = verdict(
      [
        attempt('stun-a', 'stun-binding', T0 + 1, true, { transport: 'udp' }),
        attempt('turn-a', 'turn-allocation', T0 + 2, false, { transport: 'udp' }, 'timeout'),
        matrix([
          ['udp', 3478, 4, 'down', 'timeout'],
          ['tcp', 3478, 4, 'up'],
        ]),
      ],
      [STUN, TURN],
    );
    expect(v.title).not.toMatch(/UDP is blocked|port 443/);
    expect(v.transports).toBeUndefined();
  });

  it('nothing over IPv4 has a route while IPv6 answers: IPv6-only, naming the unreachable servers', () => {
    const v = verdict(
      [
        attempt('stun-a', 'stun-binding', T0 + 1, false, {}, 'unreachable'),
        attempt('turn-a', 'turn-allocation', T0 + 2, true, { transport: 'udp' }),
        matrix([
          ['udp', 3478, 4, 'down', 'unreachable'],
          ['tcp', 3478, 4, 'down', 'unreachable'],
          ['udp', 3478, 6, 'up'],
          ['tcp', 3478, 6, 'up'],
        ]),
      ],
      [STUN, TURN],
    );
    expect(v.kind).toBe('network-restricted');
    expect(v.title).toMatch(/IPv6-only/);
    expect(v.message).toContain('stun:192.0.2.1:3478');
    expect(v.message).toContain('turn.test answered over IPv6');
  });

  it('IPv6 broken while IPv4 works is no restriction of its own', () => {
    const v = verdict([
      attempt('turn-a', 'turn-allocation', T0 + 1, true, { transport: 'udp' }),
      matrix([
        ['udp', 3478, 4, 'up'],
        ['udp', 3478, 6, 'down', 'unreachable'],
      ]),
    ]);
    expect(v.kind).toBe('healthy');
  });

  it('an untrusted certificate on 443 with everything else dropped: a proxy intercepts TLS', () => {
    const detail =
      "TLS: the server's certificate is issued by Corp Inspection CA, which this machine does not trust (SELF_SIGNED_CERT_IN_CHAIN)";
    const v = verdict([
      attempt('turn-a', 'turn-allocation', T0 + 1, false, { transport: 'udp' }, 'timeout'),
      matrix([
        ['udp', 3478, 4, 'down', 'timeout'],
        ['tcp', 3478, 4, 'down', 'timeout'],
        ['tls', 5349, 4, 'down', 'timeout'],
        ['tcp', 443, 4, 'down', 'malformed-reply'],
        ['tls', 443, 4, 'down', 'untrusted', detail],
      ]),
    ]);
    expect(v.kind).toBe('network-restricted');
    expect(v.title).toBe('A proxy on this network intercepts TLS to the TURN server');
    expect(v.message).toContain('Corp Inspection CA');
  });

  it("an untrusted certificate where UDP works is the server's certificate, not a proxy", () => {
    const v = verdict([
      attempt('turn-a', 'turn-allocation', T0 + 1, true, { transport: 'udp' }),
      matrix([
        ['udp', 3478, 4, 'up'],
        ['tls', 443, 4, 'down', 'untrusted'],
      ]),
    ]);
    expect(v.title).not.toMatch(/intercept/);
  });

  it('every cell refusing the credentials is a credentials problem, not a restriction or an outage', () => {
    const v = verdict([
      attempt('turn-a', 'turn-allocation', T0 + 1, false, { errorCode: 401 }, 'server-error'),
      {
        ...matrix([
          ['udp', 3478, 4, 'down', 'auth'],
          ['tcp', 3478, 4, 'down', 'auth'],
        ]),
        errorClass: 'server-error',
        outcome: 'error',
        metrics: {
          ...matrix([
            ['udp', 3478, 4, 'down', 'auth'],
            ['tcp', 3478, 4, 'down', 'auth'],
          ]).metrics,
          errorCode: 401,
        },
      },
    ]);
    expect(v.kind).toBe('app-suspect');
    expect(v.title).toMatch(/credentials/);
  });
});
