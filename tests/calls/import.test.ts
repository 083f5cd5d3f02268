import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CallSchema } from '../../src/contract';
import { importCallFile } from '../../src/core/calls';
import { testTempDir } from '../helpers/temp';
import { candidate, internalsDump, state, update } from './fixture';

const FIXTURES = join(__dirname, 'fixtures');
const machine = { hostname: 'test-host', username: 'tester' };

function importJson(value: unknown) {
  const file = join(testTempDir('rtc-triage-call-'), 'dump.txt');
  writeFileSync(file, JSON.stringify(value));
  return importCallFile(file, { machine });
}

describe('rtcstats dumps (format 3, hand-written from the documented format)', () => {
  it('reads methods, timestamps and delta-compressed stats, and keeps only that a credential existed', () => {
    const { call, plan } = importCallFile(join(FIXTURES, 'rtcstats-relay-tcp.ndjson'), { machine });
    expect(call.format).toBe('rtcstats');
    expect(call.userAgent).toMatch(/Chrome\/140/);
    const [pc] = call.peerConnections;
    expect(pc?.id).toBe('PC_0');
    expect(pc?.iceServers).toEqual([
      {
        urls: ['turn:turn.example.com:3478?transport=udp', 'turn:turn.example.com:443?transport=tcp'],
        hasCredentials: true,
      },
    ]);
    expect(pc?.startedAt).toBe(new Date(1758602115700).toISOString());
    // the relay candidate carries no url: its own stats name the server and the TCP leg to it
    expect(pc?.candidates).toEqual([
      {
        url: 'turn:turn.example.com:443?transport=tcp',
        types: { relay: 1 },
        relayProtocols: { tcp: 1 },
        firstRelayMs: 4119,
      },
    ]);
    expect(pc?.selectedPair).toEqual({
      localType: 'relay',
      remoteType: 'srflx',
      protocol: 'udp',
      relayProtocol: 'tcp',
      url: 'turn:turn.example.com:443?transport=tcp',
    });
    // the second getStats delta updated only what changed
    expect(pc).toMatchObject({ bytesSent: 91540, bytesReceived: 90011, rttMs: 91, outcome: 'dropped' });
    expect(pc?.droppedAfterMs).toBe(14_300);
    const summaries = call.observations.map((o) => `${o.kind}: ${o.summary}`);
    expect(summaries).toEqual([
      'relay-only-stream: Relay candidates came only over TCP, none over UDP.',
      expect.stringMatching(/^server-errors: turn:turn.example.com:3478\?transport=udp never answered \(701/),
      'slow-first-relay: turn:turn.example.com:443?transport=tcp took 4119 ms to give its first relay candidate (more than 500 ms).',
      'connection-dropped: The connection dropped after 14.3 seconds.',
    ]);
    // the username stays in memory for a reproduction; the stored call has no trace of it
    expect(plan.iceServers[0]?.username).toBe('alice-1758602115');
    expect(JSON.stringify(call)).not.toContain('alice-1758602115');
    // addresses in the evidence are tokens, the configured server's name stays
    expect(JSON.stringify(call)).not.toMatch(/192\.168\.1\.23|198\.51\.100\.20/);
    expect(CallSchema.parse(call)).toEqual(call);
  });
});

describe('webrtc-internals observations', () => {
  it('ICE failed after checking the pairs it had', () => {
    const { call } = importJson(
      internalsDump({
        urls: ['stun:stun.example.org:3478'],
        updates: [
          state('gathering', 'gathering', 0),
          candidate('host', null, 5),
          candidate('srflx', 'stun:stun.example.org:3478', 40),
          update(
            'addIceCandidate',
            { candidate: 'candidate:9 1 udp 1 203.0.113.5 5000 typ srflx raddr 0.0.0.0 rport 0' },
            60,
          ),
          state('ice', 'checking', 61),
          state('connection', 'connecting', 61),
          state('ice', 'failed', 30_000),
          state('connection', 'failed', 30_001),
        ],
        stats: {
          'CPa_b-requestsSent': { statsType: 'candidate-pair', values: [3, 7] },
          'CPa_b-state': { statsType: 'candidate-pair', values: ['in-progress', 'failed'] },
          'CPc_d-requestsSent': { statsType: 'candidate-pair', values: [2, 6] },
          'CPe_f-requestsSent': { statsType: 'candidate-pair', values: [0, 0] },
        },
      }),
    );
    expect(call.outcome).toBe('failed');
    const failed = call.observations.find((o) => o.kind === 'ice-failed');
    expect(failed?.summary).toBe('ICE failed after checking 2 candidate pairs.');
    expect(failed?.evidence[0]).toMatch(/ice: checking → .*ice: failed/);
  });

  it('a connection that drops says after how long; one that recovers is connected', () => {
    const updates = [
      state('gathering', 'gathering', 0),
      candidate('relay', 'turn:turn.example.com:3478?transport=udp', 120),
      state('connection', 'connecting', 150),
      state('connection', 'connected', 200),
      state('connection', 'disconnected', 42_200),
    ];
    const dropped = importJson(
      internalsDump({ urls: ['turn:turn.example.com:3478?transport=udp'], updates }),
    );
    expect(dropped.call.outcome).toBe('dropped');
    expect(dropped.call.observations.map((o) => o.summary)).toContain(
      'The connection dropped after 42 seconds.',
    );
    const back = importJson(
      internalsDump({
        urls: ['turn:turn.example.com:3478?transport=udp'],
        updates: [...updates, state('connection', 'connected', 44_000)],
      }),
    );
    expect(back.call.outcome).toBe('connected');
    expect(back.call.observations.map((o) => o.kind)).toEqual(['connected']);
  });

  it('a TURN server slower than 500 ms to its first relay, and TURN configured with no relay at all', () => {
    const slow = importJson(
      internalsDump({
        urls: ['turns:turn.example.com:443'],
        updates: [state('gathering', 'gathering', 0), candidate('relay', 'turns:turn.example.com:443', 750)],
      }),
    );
    expect(slow.call.observations.map((o) => o.kind)).toEqual([
      'relay-only-stream',
      'slow-first-relay',
      'never-connected',
    ]);
    expect(slow.call.observations[0]?.summary).toBe('Relay candidates came only over TLS, none over UDP.');
    const none = importJson(
      internalsDump({
        urls: ['turn:turn.example.com:3478', 'stun:stun.example.org'],
        updates: [
          state('gathering', 'gathering', 0),
          candidate('host', null, 3),
          candidate('srflx', 'stun:stun.example.org', 30),
        ],
      }),
    );
    const [first] = none.call.observations;
    expect(first?.summary).toBe(
      'No relay candidate was gathered although TURN was configured (turn:turn.example.com:3478).',
    );
    expect(first?.evidence).toContain('candidates gathered: 1 host, 1 srflx');
  });

  it('reads the older, non-JSON rtcConfiguration and `time` strings', () => {
    const { call } = importJson({
      PeerConnections: {
        '1-1': {
          rtcConfiguration:
            '{ iceServers: [turn:turn.example.com:3478?transport=udp, stun:stun.example.org:19302], iceTransportPolicy: relay, bundlePolicy: balanced }',
          updateLog: [
            { type: 'oniceconnectionstatechange', value: 'checking', time: '2020-02-13T10:04:41.000Z' },
          ],
          stats: {},
        },
      },
    });
    expect(call.peerConnections[0]).toMatchObject({
      iceServers: [
        { urls: ['turn:turn.example.com:3478?transport=udp'] },
        { urls: ['stun:stun.example.org:19302'] },
      ],
      iceTransportPolicy: 'relay',
      startedAt: '2020-02-13T10:04:41.000Z',
    });
  });
});
