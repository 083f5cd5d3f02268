import type { Call, CallPeerConnection, CallReproduction } from '../contract';
import { formatMatrix } from './matrix-format';

const OUTCOME_WORDS: Record<Call['outcome'], string> = {
  connected: 'connected',
  dropped: 'connected, then dropped',
  failed: 'failed (ICE failed)',
  'never-connected': 'never connected',
};

function types(record: Record<string, number>): string {
  const parts = Object.entries(record).map(([k, n]) => `${n} ${k}`);
  return parts.length ? parts.join(', ') : 'none';
}

function peerConnectionLines(pc: CallPeerConnection): string[] {
  const lines = [
    `  ${pc.id}: ${OUTCOME_WORDS[pc.outcome]}${pc.iceTransportPolicy ? `  (iceTransportPolicy ${pc.iceTransportPolicy})` : ''}`,
  ];
  const servers = pc.iceServers.flatMap((s) =>
    s.urls.map((u) => `${u}${s.hasCredentials ? ' (with credentials)' : ''}`),
  );
  lines.push(`    ICE servers: ${servers.length ? servers.join(', ') : 'none'}`);
  lines.push(`    candidates: ${types(pc.candidateTypes)}`);
  for (const c of pc.candidates) {
    const first = c.firstRelayMs === null ? '' : `, first relay after ${c.firstRelayMs} ms`;
    lines.push(
      `      ${c.url}: ${types(c.types)}${Object.keys(c.relayProtocols).length ? ` (relay over ${Object.keys(c.relayProtocols).join('/')})` : ''}${first}`,
    );
  }
  for (const e of pc.errors) lines.push(`    icecandidateerror ${e.code} from ${e.url}: ${e.text}`);
  const states = pc.timeline
    .filter((s) => s.of === 'ice' || s.of === 'connection')
    .map((s) => `${s.of} ${s.state}`);
  if (states.length) lines.push(`    states: ${states.join(' → ')}`);
  const pair = pc.selectedPair;
  if (pair)
    lines.push(
      `    selected pair: ${pair.localType ?? '?'} → ${pair.remoteType ?? '?'} over ${pair.protocol ?? '?'}` +
        (pair.relayProtocol ? `, relay via ${pair.relayProtocol}` : '') +
        (pc.rttMs !== null ? `, RTT ${pc.rttMs} ms` : '') +
        (pc.bytesSent !== null ? `, ${pc.bytesSent} bytes sent / ${pc.bytesReceived ?? 0} received` : ''),
    );
  return lines;
}

export function formatCall(call: Call): string {
  const lines = [
    `Call ${call.id}  from ${call.source}  (${call.format}${call.userAgent ? `, ${call.userAgent}` : ''})`,
    `Started ${call.startedAt ?? 'at an unknown time'}; imported ${call.importedAt}; outcome: ${OUTCOME_WORDS[call.outcome]}`,
    '',
    `Peer connections (${call.peerConnections.length}):`,
    ...call.peerConnections.flatMap(peerConnectionLines),
    '',
    call.observations.length ? 'Observations:' : 'Observations: none',
  ];
  const seen = new Set<string>();
  for (const o of call.observations) {
    const line = `  - ${o.summary}`;
    if (seen.has(line)) continue;
    seen.add(line);
    lines.push(line);
    for (const e of o.evidence.slice(0, 3)) lines.push(`      ${e}`);
  }
  return lines.join('\n');
}

export function formatReproduction(result: CallReproduction): string {
  const { report } = result;
  const lines = [formatCall(result.call), '', 'Call vs isolated tests (same ICE servers, this network):'];
  const width = Math.max(...result.rows.map((r) => r.url.length), 3);
  for (const row of result.rows) {
    lines.push(`  ${row.url.padEnd(width)}  call: ${row.call}`);
    lines.push(`  ${''.padEnd(width)}  tests: ${row.tests}${row.agree ? '' : '   <- they disagree'}`);
  }
  if (result.withoutCredentials.length)
    lines.push(`  not tested (no credentials): ${result.withoutCredentials.join(', ')}`);
  const matrix = formatMatrix(result.matrix);
  if (matrix.length) lines.push('', ...matrix);
  lines.push(
    '',
    result.verdictLine,
    '',
    `Tests' verdict: ${report.verdict.title}  [${report.verdict.kind}, layer: ${result.layer}]`,
    report.verdict.message,
    `What to do: ${report.verdict.action}`,
    `(run ${report.runId}; rtc-triage history shows it with the others)`,
  );
  return lines.join('\n');
}
