import type { NodePeerConnection } from './wrtc';

/** The selected candidate pair of a connected peer, as libwebrtc reports it. */
export async function selectedPair(
  pc: NodePeerConnection,
): Promise<{ local: string | null; remote: string | null; rttMs: number | null }> {
  const reports = new Map<string, Record<string, unknown>>();
  (await pc.getStats()).forEach((report) => reports.set(String(report.id), report));
  let pair: Record<string, unknown> | undefined;
  for (const report of reports.values()) {
    if (report.type === 'transport' && typeof report.selectedCandidatePairId === 'string')
      pair = reports.get(report.selectedCandidatePairId);
  }
  pair ??= [...reports.values()].find(
    (r) => r.type === 'candidate-pair' && r.nominated === true && r.state === 'succeeded',
  );
  if (!pair) return { local: null, remote: null, rttMs: null };
  const typeOf = (id: unknown) => {
    const value = reports.get(String(id))?.candidateType;
    return typeof value === 'string' ? value : null;
  };
  const rtt = pair.currentRoundTripTime;
  return {
    local: typeOf(pair.localCandidateId),
    remote: typeOf(pair.remoteCandidateId),
    rttMs: typeof rtt === 'number' ? Math.round(rtt * 100000) / 100 : null,
  };
}
