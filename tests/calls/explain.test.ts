import { describe, expect, it } from 'vitest';
import {
  CALL_SCHEMA,
  REPORT_SCHEMA,
  type Call,
  type MatrixCell,
  type Report,
  type Verdict,
} from '../../src/contract';
import { explainCall } from '../../src/core/calls';

// The call's verdict line is read from the tests' report (the verdict and its transport finding),
// never decided anew: the matrix rows are only shown beside the call.

const URL = 'turn:turn.example.com:3478?transport=udp';

function call(outcome: Call['outcome'], errors: Array<{ code: number }> = []): Call {
  return {
    schema: CALL_SCHEMA,
    id: 'c1',
    format: 'webrtc-internals',
    source: 'dump.json',
    importedAt: '2026-03-01T10:00:00.000Z',
    startedAt: null,
    userAgent: null,
    outcome,
    peerConnections: [
      {
        id: '7-1',
        iceServers: [{ urls: [URL], hasCredentials: false }],
        iceTransportPolicy: 'relay',
        startedAt: null,
        outcome,
        candidates: [],
        candidateTypes: {},
        errors: errors.map((e) => ({ url: URL, code: e.code, text: '', at: '' })),
        timeline: [],
        selectedPair: null,
        pairsChecked: 0,
        rttMs: null,
        bytesSent: null,
        bytesReceived: null,
        droppedAfterMs: null,
      },
    ],
    observations: [],
    reproducedRunId: null,
  };
}

const cell = (
  transport: MatrixCell['transport'],
  port: number,
  state: MatrixCell['state'],
  cause: string | null,
): MatrixCell => ({
  transport,
  port,
  family: 4,
  state,
  rttMs: null,
  cause,
  detail: null,
  configured: false,
});

function report(
  kind: Verdict['kind'],
  options: {
    title?: string;
    cells?: MatrixCell[];
    auth?: boolean;
    status?: 'up' | 'down';
    transports?: Verdict['transports'];
  } = {},
): Report {
  return {
    schema: REPORT_SCHEMA,
    runId: 'r1',
    startedAt: '',
    finishedAt: '',
    durationMs: 0,
    verdict: {
      kind,
      local: 'pass',
      crossNetwork: 'untested',
      confidence: 0.8,
      title: options.title ?? 'A title',
      message: '',
      action: '',
      evidence: [],
      ...(options.transports ? { transports: options.transports } : {}),
    },
    targets: [
      { id: 't', kind: 'turn', layer: 'L2', url: URL, status: options.status ?? 'down', rttMs: null },
    ],
    attempts: options.auth
      ? [
          {
            id: 'a',
            correlationId: 'c',
            probe: 'turn-allocation',
            targetId: 't',
            attempt: 1,
            outcome: 'error',
            stage: 'allocate',
            errorClass: 'server-error',
            errorMessage: null,
            startedAt: '',
            durationMs: 1,
            metrics: { cause: 'auth', errorCode: 401 },
          },
        ]
      : [],
    patterns: [],
    matrix: options.cells
      ? [{ targetId: 't', url: URL, host: 'turn.example.com', attemptId: 'a', cells: options.cells }]
      : [],
    cleanup: { opened: 0, released: 0, leaked: 0 },
  };
}

describe('explainCall', () => {
  it('UDP dropped, TCP and TLS 443 up: the network, naming what works', () => {
    const cells = [
      cell('udp', 3478, 'down', 'timeout'),
      cell('tcp', 3478, 'down', 'timeout'),
      cell('tls', 443, 'up', null),
      cell('tcp', 443, 'up', null),
    ];
    const transports: Verdict['transports'] = {
      restriction: 'only-443',
      working: [
        { transport: 'tls', port: 443 },
        { transport: 'tcp', port: 443 },
      ],
    };
    const result = explainCall(
      call('never-connected', [{ code: 701 }]),
      report('network-restricted', { cells, transports }),
    );
    expect(result.layer).toBe('network');
    expect(result.verdictLine).toBe(
      'The call failed because UDP to your TURN server is blocked on this network; TLS 443 and TCP 443 work.',
    );
    expect(result.rows).toEqual([
      {
        url: URL,
        call: 'no candidate; error 701 × 1',
        tests: 'down; UDP 3478 down (timeout), TCP 3478 down (timeout), TLS 443 up, TCP 443 up',
        agree: true,
      },
    ]);
  });

  it('the matrix alone never makes "UDP is blocked": only the verdict\'s own finding does', () => {
    // the same cells, but the verdict was decided by something else (no transport finding)
    const cells = [cell('udp', 3478, 'down', 'timeout'), cell('tcp', 3478, 'up', null)];
    const result = explainCall(
      call('failed'),
      report('network-restricted', { cells, title: 'No relayed session gets through' }),
    );
    expect(result.layer).toBe('network');
    expect(result.verdictLine).toBe(
      'The call failed because of this network: No relayed session gets through.',
    );
    const found = explainCall(
      call('failed'),
      report('network-restricted', {
        cells,
        transports: { restriction: 'udp-blocked', working: [{ transport: 'tcp', port: 3478 }] },
      }),
    );
    expect(found.verdictLine).toBe(
      'The call failed because UDP to your TURN server is blocked on this network; TCP 3478 works.',
    );
  });

  it("credentials refused in the call, accepted in the tests: the app's credentials are wrong", () => {
    const cells = [cell('udp', 3478, 'up', null)];
    const result = explainCall(
      call('never-connected', [{ code: 401 }]),
      report('app-suspect', { cells, status: 'up' }),
    );
    expect(result.layer).toBe('credentials');
    expect(result.verdictLine).toMatch(
      /refused the app's credentials \(401\); with the credentials given here it allocates/,
    );
    expect(result.rows[0]?.agree).toBe(false);
  });

  it('every other kind says its layer', () => {
    expect(
      explainCall(
        call('failed'),
        report('app-suspect', { auth: true, title: 'TURN credentials are rejected' }),
      ).layer,
    ).toBe('credentials');
    expect(
      explainCall(
        call('failed'),
        report('infrastructure-outage', { title: 'Infrastructure outage: no TURN server works' }),
      ).verdictLine,
    ).toBe(
      'The call failed because the servers it used are failing: Infrastructure outage: no TURN server works.',
    );
    expect(explainCall(call('dropped'), report('app-suspect', { status: 'up' })).verdictLine).toMatch(
      /^The call dropped, yet the isolated tests .* look at the app/,
    );
    expect(explainCall(call('failed'), report('local-environment')).layer).toBe('machine');
    expect(explainCall(call('failed'), report('inconclusive')).layer).toBe('none');
    expect(explainCall(call('connected'), report('healthy', { status: 'up' })).verdictLine).toMatch(
      /^The call connected, and the isolated tests/,
    );
  });
});
