import {
  columnLabel,
  type Call,
  type CallLayer,
  type Report,
  type SideBySideRow,
  type TransportSpec,
} from '../../contract';

/**
 * The call beside the isolated tests of its own ICE servers. No verdict of its own: the layer comes
 * from the report's verdict (analysis/verdict.ts) and its transport finding (`verdict.transports`);
 * the matrix rows are only shown beside the call. This only says it in terms of the call.
 */
export interface CallExplanation {
  layer: CallLayer;
  verdictLine: string;
  rows: SideBySideRow[];
}

const AUTH_CODES = new Set([401, 441]);
const isTurn = (url: string) => /^turns?:/i.test(url);

function series(words: readonly string[]): string {
  const unique = [...new Set(words)];
  if (unique.length <= 1) return unique.join('');
  return `${unique.slice(0, -1).join(', ')} and ${unique.at(-1) ?? ''}`;
}

/**
 * The columns that work when the verdict's own transport finding (analysis/transport-verdict.ts) is
 * that UDP is blocked (on every port, or everything but 443): else null. Read from the verdict, never
 * from the matrix again.
 */
function udpBlockedColumns(verdict: Report['verdict']): TransportSpec[] | null {
  const found = verdict.transports;
  if (!found || (found.restriction !== 'udp-blocked' && found.restriction !== 'only-443')) return null;
  return found.working.length > 0 ? found.working : null;
}

function credentialsRefused(report: Report): boolean {
  return report.attempts.some(
    (a) => (a.probe === 'turn-allocation' || a.probe === 'transport-matrix') && a.metrics.cause === 'auth',
  );
}

function layerOf(report: Report): CallLayer {
  switch (report.verdict.kind) {
    case 'network-restricted':
    case 'offline':
      return 'network';
    case 'infrastructure-outage':
    case 'partial-outage':
      return 'infrastructure';
    case 'app-suspect':
      return credentialsRefused(report) ? 'credentials' : 'app';
    case 'local-environment':
      return 'machine';
    case 'healthy':
      return 'app';
    case 'inconclusive':
      return 'none';
  }
}

export function explainCall(call: Call, report: Report): CallExplanation {
  const rows = sideBySide(call, report);
  const callErrors = call.peerConnections.flatMap((pc) => pc.errors);
  const callAuth = callErrors.filter((e) => AUTH_CODES.has(e.code));
  const title = report.verdict.title.replace(/\.$/, '');
  if (call.outcome === 'connected') {
    const layer: CallLayer = report.verdict.kind === 'healthy' ? 'none' : layerOf(report);
    return {
      layer,
      rows,
      verdictLine:
        report.verdict.kind === 'healthy' || report.verdict.kind === 'app-suspect'
          ? 'The call connected, and the isolated tests of its ICE servers agree: they work from this network.'
          : `The call connected, but the isolated tests of its ICE servers found a problem: ${title}.`,
    };
  }
  const failed = call.outcome === 'dropped' ? 'The call dropped' : 'The call failed';
  let layer = layerOf(report);
  const blockedButWorking = udpBlockedColumns(report.verdict);
  let verdictLine: string;
  if (layer === 'network' && blockedButWorking) {
    const works = series(blockedButWorking.map(columnLabel));
    verdictLine = `${failed} because UDP to your TURN server is blocked on this network; ${works} ${blockedButWorking.length === 1 ? 'works' : 'work'}.`;
  } else if (layer === 'credentials') {
    const codes = series([...new Set(callAuth.map((e) => String(e.code)))]);
    verdictLine = `${failed} because the TURN server refused the credentials${codes ? ` (the call saw ${codes})` : ''}; the isolated tests were refused too: ${title}.`;
  } else if (
    callAuth.length > 0 &&
    !credentialsRefused(report) &&
    report.matrix.some((r) => r.cells.some((c) => c.state === 'up'))
  ) {
    // the app's credentials were refused; the ones given here allocate: the app's are wrong or expired
    layer = 'credentials';
    verdictLine = `${failed} because the TURN server refused the app's credentials (${series(callAuth.map((e) => String(e.code)))}); with the credentials given here it allocates, so the app's TURN credentials are wrong or expired.`;
  } else if (layer === 'network') {
    verdictLine = `${failed} because of this network: ${title}.`;
  } else if (layer === 'infrastructure') {
    verdictLine = `${failed} because the servers it used are failing: ${title}.`;
  } else if (layer === 'machine') {
    verdictLine = `${failed} because of this machine: ${title}.`;
  } else if (layer === 'app') {
    verdictLine = `${failed}, yet the isolated tests of exactly its ICE servers pass on this network: the servers and the network do not explain it, look at the app (its signaling and candidate exchange).`;
  } else {
    verdictLine = `${failed}; the isolated tests could not decide why: ${title}.`;
  }
  return { layer, rows, verdictLine };
}

/** Per ICE server URL of the call: what it gave the call, and what the tests found. */
function sideBySide(call: Call, report: Report): SideBySideRow[] {
  const urls = [...new Set(call.peerConnections.flatMap((pc) => pc.iceServers.flatMap((s) => s.urls)))];
  return urls.map((url) => {
    const gathered: Record<string, number> = {};
    for (const pc of call.peerConnections)
      for (const c of pc.candidates.filter((c) => c.url === url))
        for (const [type, n] of Object.entries(c.types)) gathered[type] = (gathered[type] ?? 0) + n;
    const errors = new Map<number, number>();
    for (const e of call.peerConnections.flatMap((pc) => pc.errors).filter((e) => e.url === url))
      errors.set(e.code, (errors.get(e.code) ?? 0) + 1);
    const wanted = isTurn(url) ? 'relay' : 'srflx';
    const callWorks = (gathered[wanted] ?? 0) > 0;
    const callText = [
      Object.keys(gathered).length
        ? Object.entries(gathered)
            .map(([t, n]) => `${n} ${t}`)
            .join(', ')
        : 'no candidate',
      ...[...errors].map(([code, n]) => `error ${code} × ${n}`),
    ].join('; ');
    const target = report.targets.find((t) => t.url === url);
    const row = report.matrix.find((r) => r.url === url);
    const matrixText = row
      ? `; ${row.cells
          .filter((c) => c.state !== 'not-offered')
          .map(
            (c) =>
              `${columnLabel(c)}${c.family === 6 ? ' (IPv6)' : ''} ${c.state}${c.cause ? ` (${c.cause})` : ''}`,
          )
          .join(', ')}`
      : '';
    const testsWork = target ? target.status === 'up' || target.status === 'degraded' : false;
    return {
      url,
      call: callText,
      tests: target ? `${target.status}${matrixText}` : 'not tested (no credentials)',
      agree: target ? callWorks === testsWork : false,
    };
  });
}
