import type { PathResult, ServiceHealth, Services, TargetReport, VerdictKind } from '../../contract';

type Seen = Pick<TargetReport, 'kind' | 'layer' | 'status'>;

function fromTargets(targets: readonly Seen[]): ServiceHealth {
  const tested = targets.filter((t) => t.status !== 'untested');
  if (tested.length === 0) return 'untested';
  if (tested.every((t) => t.status === 'up')) return 'online';
  if (tested.every((t) => t.status === 'down')) return 'offline';
  return 'degraded';
}

function fromPaths(local: PathResult, crossNetwork: PathResult): ServiceHealth {
  if (local === 'fail') return 'offline';
  if (crossNetwork === 'fail') return 'degraded';
  if (local === 'untested' && crossNetwork === 'untested') return 'untested';
  return 'online';
}

/**
 * One kind of service (signaling: GUN/PeerJS; network: STUN/TURN) from the verdict's own targets.
 * None configured is said as such, never as "unavailable". The embedded lab (L1) proves this
 * machine, not the network, so it counts only when no outside server of the kind was tested; an
 * offline machine reaches no outside server, whatever each one's own attempts could tell.
 */
function ofKinds(targets: readonly Seen[], kinds: readonly string[], offline: boolean): ServiceHealth {
  const all = targets.filter((t) => kinds.includes(t.kind));
  if (all.length === 0) return 'not-configured';
  const outside = all.filter((t) => t.layer !== 'L1');
  if (offline && outside.length > 0) return 'offline';
  const health = fromTargets(outside);
  return health === 'untested' ? fromTargets(all) : health;
}

/**
 * P2P / signaling / network at a glance (the seed's StatusIndicator), decided with the verdict from
 * the same targets and paths, so the status strip never says something the verdict contradicts.
 */
export function servicesOf(
  targets: readonly Seen[],
  verdict: { kind: VerdictKind; local: PathResult; crossNetwork: PathResult },
): Services {
  const offline = verdict.kind === 'offline';
  return {
    p2p: fromPaths(verdict.local, verdict.crossNetwork),
    signaling: ofKinds(targets, ['gun', 'peerjs'], offline),
    network: ofKinds(targets, ['stun', 'turn'], offline),
  };
}
