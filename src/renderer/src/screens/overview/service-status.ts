import type { PathResult, Report, TargetReport } from '../../../../contract';

/** The seed's status indicator, plus "not tested" where the newest diagnosis said nothing. */
export type Health = 'online' | 'degraded' | 'offline' | 'untested';

export interface ServiceStatus {
  p2p: Health;
  signaling: Health;
  network: Health;
}

function fromTargets(targets: readonly TargetReport[]): Health {
  const tested = targets.filter((t) => t.status !== 'untested');
  if (tested.length === 0) return 'untested';
  if (tested.every((t) => t.status === 'up')) return 'online';
  if (tested.every((t) => t.status === 'down')) return 'offline';
  return 'degraded';
}

function fromPaths(local: PathResult, crossNetwork: PathResult): Health {
  if (local === 'fail') return 'offline';
  if (crossNetwork === 'fail') return 'degraded';
  if (local === 'untested' && crossNetwork === 'untested') return 'untested';
  return 'online';
}

/**
 * P2P from the verdict's local and cross-network paths; signaling from the GUN/PeerJS servers;
 * network from the STUN/TURN servers. The embedded lab (L1) proves this machine, not the network,
 * so it counts only when no outside server of the kind was tested.
 */
export function serviceStatus(report: Report | null): ServiceStatus {
  if (!report) return { p2p: 'untested', signaling: 'untested', network: 'untested' };
  const of = (kinds: readonly string[]) => {
    const all = report.targets.filter((t) => kinds.includes(t.kind));
    const outside = fromTargets(all.filter((t) => t.layer !== 'L1'));
    return outside === 'untested' ? fromTargets(all) : outside;
  };
  const network = report.verdict.kind === 'offline' ? 'offline' : of(['stun', 'turn']);
  return {
    p2p: fromPaths(report.verdict.local, report.verdict.crossNetwork),
    signaling: report.verdict.kind === 'offline' ? 'offline' : of(['gun', 'peerjs']),
    network,
  };
}

export const HEALTH_TEXT: Record<Health, string> = {
  online: 'Online',
  degraded: 'Connection issues',
  offline: 'Service unavailable',
  untested: 'Not tested yet',
};
