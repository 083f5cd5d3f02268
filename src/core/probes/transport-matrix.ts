import {
  CELL_FAMILIES,
  ERROR_CLASSES,
  cellLabel,
  cellMetrics,
  MATRIX_PROBE,
  matrixPlan,
  type CellFamily,
  emitWith,
  type MatrixCell,
  type Timeouts,
  type TransportSpec,
} from '../../contract';
import { classifyError } from './classify';
import type { ResolvedAddress } from './lookup';
import { resolveFamily } from './resolve';
import { allocateRelay, turnAllocationProbe } from './turn-allocation';
import { ProbeFailure, type Metrics, type Probe, type ProbeContext, type ResolvedTarget } from './types';

type TurnTarget = Extract<ResolvedTarget, { kind: 'turn' }>;

/** A plain sentence is enough for a cell; the whole story is in the allocation test's attempt. */
const DETAIL_CHARS = 200;

/**
 * TransportMatrixProbe: one TURN allocation per cell — the URL's server over each transport of the
 * plan (contract/matrix.ts) and each address family its name has — all at once, so the matrix costs
 * one allocation's time. One attempt per run: its cells are many tries already, and a retry of the
 * whole survey would only delay the verdict. Succeeds when some cell is up.
 */
export const transportMatrixProbe: Probe<TurnTarget> = {
  name: MATRIX_PROBE,
  kinds: ['turn'],
  once: true,
  appliesTo: (target) => target.transports === undefined || target.transports.length > 0,
  // two lookups, then the cells in parallel: each as long as one allocation test
  deadlineMs: (timeouts: Timeouts) => timeouts.stunMs * 2 + turnAllocationProbe.deadlineMs(timeouts),
  run: runMatrix,
};

async function runMatrix(target: TurnTarget, ctx: ProbeContext) {
  const uri = target.parsed;
  const plan = matrixPlan(uri, uri.transports);
  ctx.stage('dns');
  const addresses = new Map<CellFamily, ResolvedAddress | null>();
  for (const family of CELL_FAMILIES)
    addresses.set(family, await resolveFamily(uri.host, family, ctx.lookup, 'dns'));

  ctx.stage('cells');
  const own = (spec: TransportSpec) => spec.transport === uri.transport && spec.port === uri.port;
  const cells = await Promise.all(
    CELL_FAMILIES.flatMap((family) =>
      plan.map((spec) =>
        measureCell(target, ctx, uri.host, spec, family, addresses.get(family) ?? null, own(spec)),
      ),
    ),
  );
  const metrics: Metrics = {
    host: uri.host,
    cellsUp: cells.filter((c) => c.state === 'up').length,
    cellsDown: cells.filter((c) => c.state === 'down').length,
    cellsNotOffered: cells.filter((c) => c.state === 'not-offered').length,
    ...Object.assign({}, ...cells.map(cellMetrics)),
  };
  ctx.emit('turn.matrix.measured', {
    up: cells.filter((c) => c.state === 'up').map(cellLabel),
    down: cells.filter((c) => c.state === 'down').map(cellLabel),
  });
  if (cells.some((c) => c.state === 'up')) return { stage: 'cells', metrics };
  throw noCellUp(cells, metrics);
}

/** The attempt's failure when nothing is up: the configured cell's reason, which the other cells share or explain. */
function noCellUp(cells: readonly MatrixCell[], metrics: Metrics): ProbeFailure {
  const tested = cells.filter((c) => c.state === 'down');
  const deciding = tested.find((c) => c.configured) ?? tested[0];
  if (!deciding) {
    return new ProbeFailure(
      'refused',
      'cells',
      'the server offers none of the tried transports (nothing listens, or its name has no address)',
      metrics,
    );
  }
  const auth = tested.every((c) => c.cause === 'auth');
  return new ProbeFailure(
    auth ? 'server-error' : errorClassOf(deciding.cause),
    'cells',
    `no transport works: ${tested.length} of ${cells.length} cells failed, ${cellLabel(deciding)}: ${deciding.detail ?? deciding.cause ?? 'failed'}`,
    { ...metrics, ...(auth ? { errorCode: 401, cause: 'auth' } : {}) },
  );
}

// a cell's cause is an error class, or a TURN/TLS cause that names one
const ERROR_CLASS_CAUSES: ReadonlySet<string> = new Set(ERROR_CLASSES);
const TLS_CAUSES = new Set([
  'untrusted',
  'name-mismatch',
  'expired',
  'not-yet-valid',
  'wrong-protocol',
  'handshake-refused',
]);

function errorClassOf(cause: string | null) {
  if (cause && ERROR_CLASS_CAUSES.has(cause)) return cause as ProbeFailure['errorClass'];
  if (cause && TLS_CAUSES.has(cause)) return 'tls';
  return 'server-error';
}

async function measureCell(
  target: TurnTarget,
  ctx: ProbeContext,
  host: string,
  spec: TransportSpec,
  family: CellFamily,
  address: ResolvedAddress | null,
  configured: boolean,
): Promise<MatrixCell> {
  const cell = { ...spec, family, configured };
  if (!address) {
    return {
      ...cell,
      state: 'not-offered',
      rttMs: null,
      cause: 'no-address',
      detail: `${host} has no IPv${family} address`,
    };
  }
  // the cells share the attempt's ledger and signal; their stages and events name the cell
  const label = cellLabel(cell);
  const cellCtx: ProbeContext = {
    ...ctx,
    stage: () => {},
    emit: emitWith(ctx.emit, { cell: label }),
  };
  try {
    const result = await allocateRelay(target, cellCtx, { host, ...spec }, address);
    const rtt = result.metrics.rttMs;
    return { ...cell, state: 'up', rttMs: typeof rtt === 'number' ? rtt : null, cause: null, detail: null };
  } catch (error) {
    const failure = error instanceof ProbeFailure ? error : classifyError(error, 'cells');
    if (failure.errorClass === 'aborted') throw failure;
    const cause =
      typeof failure.metrics.tlsCause === 'string'
        ? failure.metrics.tlsCause
        : typeof failure.metrics.cause === 'string'
          ? failure.metrics.cause
          : failure.errorClass;
    // nothing listens on a port the user did not configure: the server does not offer it
    const state = failure.errorClass === 'refused' && !configured ? 'not-offered' : 'down';
    return { ...cell, state, rttMs: null, cause, detail: failure.message.slice(0, DETAIL_CHARS) };
  }
}
