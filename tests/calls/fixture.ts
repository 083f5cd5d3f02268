/**
 * Small webrtc-internals dumps in the shape Chromium 156 writes (see chromium-dumps.test.ts for the
 * real ones), for the cases a two-peer loopback call cannot produce on demand: ICE failing after
 * pairs were checked, a connection that drops, a slow TURN server.
 */
export interface Update {
  type: string;
  value: unknown;
  at: number;
}

const T0 = Date.parse('2026-03-01T10:00:00.000Z');

export const update = (type: string, value: unknown, afterMs: number): Update => ({
  type,
  value,
  at: T0 + afterMs,
});
export const state = (of: 'ice' | 'connection' | 'gathering', value: string, afterMs: number) =>
  update(
    {
      ice: 'oniceconnectionstatechange',
      connection: 'onconnectionstatechange',
      gathering: 'onicegatheringstatechange',
    }[of],
    value,
    afterMs,
  );
export const candidate = (type: string, url: string | null, afterMs: number, address = '198.51.100.7') =>
  update(
    'onicecandidate',
    {
      sdpMid: '0',
      sdpMLineIndex: 0,
      candidate: `candidate:1 1 udp 50339839 ${address} 4${afterMs % 10_000} typ ${type} raddr 0.0.0.0 rport 0 generation 0`,
      ...(url ? { url } : {}),
    },
    afterMs,
  );

/** A dump with one peer connection: its updates, stats series (`id-property` → values) and ICE servers. */
export function internalsDump(options: {
  urls: string[];
  updates: Update[];
  stats?: Record<string, { statsType: string; values: unknown[] }>;
  policy?: string;
}): Record<string, unknown> {
  return {
    getUserMedia: [],
    PeerConnections: {
      '7-1': {
        pid: 7,
        rtcConfiguration: JSON.stringify({
          iceServers: [{ urls: options.urls }],
          iceTransportPolicy: options.policy ?? 'all',
        }),
        updateLog: options.updates.map((u) => ({
          type: u.type,
          value: typeof u.value === 'string' ? JSON.stringify(u.value) : JSON.stringify(u.value),
          timestamp: u.at,
        })),
        stats: Object.fromEntries(
          Object.entries(options.stats ?? {}).map(([key, s]) => [
            key,
            { startTime: '', endTime: '', statsType: s.statsType, values: JSON.stringify(s.values) },
          ]),
        ),
        url: 'https://app.example/call',
      },
    },
    UserAgent: 'Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/156.0.0.0',
  };
}
