import { isLocalOnly } from '../../contract';
import type { NodePeerConnection } from '../probes/webrtc/wrtc';

export interface SelectedPair {
  local: string | null;
  remote: string | null;
  remoteAddress: string | null;
  localAddress: string | null;
  iceRttMs: number | null;
}

/** The connected candidate pair: its types and the partner's address, as libwebrtc reports them. */
export async function selectedPair(pc: Pick<NodePeerConnection, 'getStats'>): Promise<SelectedPair> {
  const reports = new Map<string, Record<string, unknown>>();
  (await pc.getStats()).forEach((report) => reports.set(String(report.id), report));
  let pair: Record<string, unknown> | undefined;
  for (const report of reports.values())
    if (report.type === 'transport' && typeof report.selectedCandidatePairId === 'string')
      pair = reports.get(report.selectedCandidatePairId);
  const succeeded = [...reports.values()].filter(
    (r) => r.type === 'candidate-pair' && r.state === 'succeeded',
  );
  // Right at `connect` libwebrtc may not name the selected pair yet (seen in CI): then the nominated
  // pair, else the one succeeded pair that carried the checks.
  pair ??= succeeded.find((r) => r.nominated === true) ?? succeeded[0];
  if (!pair) return { local: null, remote: null, remoteAddress: null, localAddress: null, iceRttMs: null };
  const local = reports.get(String(pair.localCandidateId));
  const remote = reports.get(String(pair.remoteCandidateId));
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  const rtt = pair.currentRoundTripTime;
  return {
    local: text(local?.candidateType),
    remote: text(remote?.candidateType),
    remoteAddress: text(remote?.address) ?? text(remote?.ip),
    localAddress: text(local?.address) ?? text(local?.ip),
    iceRttMs: typeof rtt === 'number' ? Math.round(rtt * 100000) / 100 : null,
  };
}

/**
 * Whether a host-only session ran between two testers on one network: true, false, or null when the
 * stats cannot tell. The partner's address decides. libwebrtc hides it when the partner's candidate is
 * peer-reflexive (its checks arrived before, or from another address than, what it signaled — seen in
 * CI on one machine): then this side's own address decides, since a partner that reached a private
 * address of this machine sits on its network; a public one proves nothing either way.
 */
export function sameNetwork(selected: SelectedPair): boolean | null {
  if (selected.remoteAddress) return isLocalOnly(selected.remoteAddress);
  if (selected.remote === 'prflx' && selected.localAddress && isLocalOnly(selected.localAddress)) return true;
  return null;
}
