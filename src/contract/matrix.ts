import { z } from 'zod';
import type { IceServerUri } from './ice-server-uri';

/**
 * The transport matrix of a TURN server (issue 18, docs/probes.md "Transport matrix"): besides the
 * URL the user gave, the same server over UDP, TCP and TLS, on its own port and on 443, each over
 * IPv4 and IPv6. A corporate network that lets only TLS on 443 out, or an IPv6-only mobile network,
 * shows up as a row whose cells differ, which a single URL's test cannot show.
 */
export const MATRIX_PROBE = 'transport-matrix';

export const CELL_TRANSPORTS = ['udp', 'tcp', 'tls'] as const;
export type CellTransport = (typeof CELL_TRANSPORTS)[number];
export type CellFamily = 4 | 6;
export const CELL_FAMILIES: readonly CellFamily[] = [4, 6];

/** One column of the matrix: a transport on a port. */
export interface TransportSpec {
  transport: CellTransport;
  port: number;
}

/**
 * up: a TURN allocation worked; down: the server did not answer, refused the credentials or its
 * certificate, or the network dropped the packets (`cause` says which); not-offered: there is
 * nothing to test (no address of that family, or nothing listens on that port).
 */
export const CellStateSchema = z.enum(['up', 'down', 'not-offered']);
export type CellState = z.infer<typeof CellStateSchema>;

export const MatrixCellSchema = z.object({
  transport: z.enum(CELL_TRANSPORTS),
  port: z.number().int().min(1).max(65535),
  family: z.union([z.literal(4), z.literal(6)]),
  state: CellStateSchema,
  /** The allocation's round trip (up cells). */
  rttMs: z.number().min(0).nullable(),
  /** An error class (`timeout`, `refused`, `unreachable`, `tls`, …), a TURN/TLS cause (`auth`, `expired`, …) or `no-address`. */
  cause: z.string().nullable(),
  /** The plain sentence behind `cause`. */
  detail: z.string().nullable(),
  /** The cell is the URL as configured. */
  configured: z.boolean(),
});
export type MatrixCell = z.infer<typeof MatrixCellSchema>;

export const MatrixRowSchema = z.object({
  targetId: z.string(),
  url: z.string(),
  host: z.string(),
  /** The attempt the cells come from. */
  attemptId: z.string(),
  cells: z.array(MatrixCellSchema),
});
export type MatrixRow = z.infer<typeof MatrixRowSchema>;

const DEFAULT_PLAIN_PORT = 3478;
const DEFAULT_TLS_PORT = 5349;
/** The port corporate firewalls leave open (HTTPS): the last resort of every TURN deployment. */
export const FIREWALL_PORT = 443;

/** `udp`, `tcp:443`, `tls:5349`: a column as a config's `transports` lists it. */
export function parseTransportSpec(raw: string): TransportSpec | { error: string } {
  const match = /^(udp|tcp|tls)(?::(\d{1,5}))?$/.exec(raw);
  if (!match)
    return { error: `"${raw}" is not a transport (expected udp, tcp or tls, optionally with :PORT)` };
  const transport = match[1] as CellTransport;
  const port =
    match[2] === undefined ? (transport === 'tls' ? DEFAULT_TLS_PORT : DEFAULT_PLAIN_PORT) : +match[2];
  if (port < 1 || port > 65535) return { error: `port ${match[2]} is out of range (1-65535)` };
  return { transport, port };
}

export const specLabel = (spec: TransportSpec) => `${spec.transport}:${spec.port}`;

/**
 * The columns tried for a TURN URL: the URL itself first, then either the ones the config lists or
 * the usual deployment: UDP and TCP on the URL's plain port, TLS on 5349, and TCP and TLS on 443.
 */
export function matrixPlan(
  uri: Pick<IceServerUri, 'port' | 'transport'>,
  listed: readonly TransportSpec[] | null,
) {
  const own: TransportSpec = { transport: uri.transport, port: uri.port };
  const plain = uri.transport === 'tls' ? DEFAULT_PLAIN_PORT : uri.port;
  const usual: TransportSpec[] = [
    { transport: 'udp', port: plain },
    { transport: 'tcp', port: plain },
    { transport: 'tls', port: DEFAULT_TLS_PORT },
    { transport: 'tcp', port: FIREWALL_PORT },
    { transport: 'tls', port: FIREWALL_PORT },
  ];
  const extra = listed ?? usual;
  const seen = new Set<string>();
  return [own, ...extra].filter((spec) => {
    const key = specLabel(spec);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const CELL_PREFIX = 'cell:';

/** `cell:tls:443:6`: the metric key of a cell; its figures add `:rttMs`, `:cause`, `:detail`. */
export const cellKey = (cell: TransportSpec & { family: CellFamily }) =>
  `${CELL_PREFIX}${cell.transport}:${cell.port}:${cell.family}`;

type MetricValue = number | string | boolean | null;

/** A cell as flat attempt metrics (an attempt's metrics are scalars, so the store keeps them as they are). */
export function cellMetrics(cell: MatrixCell): Record<string, MetricValue> {
  const key = cellKey(cell);
  return {
    [key]: cell.state,
    [`${key}:rttMs`]: cell.rttMs,
    [`${key}:cause`]: cell.cause,
    [`${key}:detail`]: cell.detail,
    ...(cell.configured ? { [`${key}:configured`]: true } : {}),
  };
}

const KEY = /^cell:(udp|tcp|tls):(\d{1,5}):([46])$/;

/** The cells an attempt's metrics hold, in the order they were written. */
export function cellsOf(metrics: Record<string, MetricValue>): MatrixCell[] {
  const cells: MatrixCell[] = [];
  for (const [key, value] of Object.entries(metrics)) {
    const match = KEY.exec(key);
    const state = CellStateSchema.safeParse(value);
    if (!match || !state.success) continue;
    const rtt = metrics[`${key}:rttMs`];
    const cause = metrics[`${key}:cause`];
    const detail = metrics[`${key}:detail`];
    cells.push({
      transport: match[1] as CellTransport,
      port: Number(match[2]),
      family: match[3] === '6' ? 6 : 4,
      state: state.data,
      rttMs: typeof rtt === 'number' ? rtt : null,
      cause: typeof cause === 'string' ? cause : null,
      detail: typeof detail === 'string' ? detail : null,
      configured: metrics[`${key}:configured`] === true,
    });
  }
  return cells;
}

interface MatrixAttempt {
  id: string;
  probe: string;
  targetId: string;
  outcome: string;
  startedAt: string;
  metrics: Record<string, MetricValue>;
}

/**
 * The matrix of each TURN server from the newest transport-matrix attempt that measured cells: one
 * pure function of the attempts, so the report, history, a bundle and every screen show the same rows.
 */
export function matrixOf(
  targets: ReadonlyArray<{ id: string; url: string }>,
  attempts: ReadonlyArray<MatrixAttempt>,
): MatrixRow[] {
  const newest = new Map<string, MatrixAttempt>();
  for (const attempt of attempts) {
    if (attempt.probe !== MATRIX_PROBE || cellsOf(attempt.metrics).length === 0) continue;
    const seen = newest.get(attempt.targetId);
    if (!seen || Date.parse(attempt.startedAt) >= Date.parse(seen.startedAt))
      newest.set(attempt.targetId, attempt);
  }
  return targets.flatMap((target) => {
    const attempt = newest.get(target.id);
    if (!attempt) return [];
    const host = attempt.metrics.host;
    return [
      {
        targetId: target.id,
        url: target.url,
        host: typeof host === 'string' ? host : '',
        attemptId: attempt.id,
        cells: cellsOf(attempt.metrics),
      },
    ];
  });
}

const TRANSPORT_NAMES: Record<CellTransport, string> = { udp: 'UDP', tcp: 'TCP', tls: 'TLS' };

/** `TLS 443`, `UDP 3478`: a column in words. */
export const columnLabel = (spec: TransportSpec) => `${TRANSPORT_NAMES[spec.transport]} ${spec.port}`;
/** `TLS 443 over IPv6`. */
export const cellLabel = (cell: TransportSpec & { family: CellFamily }) =>
  `${columnLabel(cell)} over IPv${cell.family}`;

/** The columns of a set of rows, in plan order, each once. */
export function matrixColumns(rows: readonly MatrixRow[]): TransportSpec[] {
  const seen = new Map<string, TransportSpec>();
  for (const row of rows)
    for (const cell of row.cells)
      if (!seen.has(specLabel(cell)))
        seen.set(specLabel(cell), { transport: cell.transport, port: cell.port });
  return [...seen.values()];
}
