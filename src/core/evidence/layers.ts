import type { Layer, MetricValueSchema } from '../../contract';
import type { z } from 'zod';
import { PARTNER_SESSION_PROBE } from './partner-probes';

type Metrics = Record<string, z.infer<typeof MetricValueSchema>>;

/** The L0 machine test's target id (two peers in one process, host candidates only). */
export const LOCAL_MACHINE_TARGET = 'local-machine';

/**
 * The layer an attempt proves, which is its target's layer except for peer connections: the host
 * path (or the `local-machine` target) proves this machine (L0); any other peer connection through
 * an outside server is a cross-network path (L4); one through the embedded lab stays L1.
 */
export function attemptLayer(
  attempt: { probe: string; targetId: string; metrics: Metrics; layer?: Layer | undefined },
  targetLayer: Layer | undefined,
): Layer {
  // decided once, when the attempt was made (the runner): every later reader takes that answer
  if (attempt.layer) return attempt.layer;
  if (attempt.targetId === LOCAL_MACHINE_TARGET) return 'L0';
  // A partner session crosses the path between two testers: L4, unless it reached a private
  // address (the testers share a network), which proves the local path.
  if (attempt.probe === PARTNER_SESSION_PROBE)
    return attempt.metrics.path === 'host' && attempt.metrics.sameNetwork === true ? 'L0' : 'L4';
  // Everything against the embedded lab proves this machine, peer connections included.
  if (targetLayer === 'L1') return 'L1';
  if (attempt.probe === 'peer-connection') return attempt.metrics.path === 'host' ? 'L0' : 'L4';
  return targetLayer ?? 'L2';
}

/**
 * A reflexive-only session in one process needs NAT hairpinning, which many routers lack: its
 * failure alone never condemns the network (DESIGN.md §2, L4), so it is kept out of failure rates.
 */
export function isHairpinOnly(attempt: { probe: string; metrics: Metrics }, targetKind?: string): boolean {
  if (attempt.probe !== 'peer-connection') return false;
  const path = attempt.metrics.path;
  // An attempt cut short by the runner's safety net may carry no metrics: on a STUN server a
  // peer connection can only be the reflexive one.
  return path === 'srflx' || (path === undefined && targetKind === 'stun');
}

/**
 * A partner's host-only session that did not connect: across networks it cannot work (private
 * addresses do not route), so, like a hairpin-only session, it is kept out of failure rates.
 */
export function isPartnerLanOnly(attempt: { probe: string; outcome: string; metrics: Metrics }): boolean {
  return (
    attempt.probe === PARTNER_SESSION_PROBE &&
    attempt.metrics.path === 'host' &&
    attempt.outcome !== 'success'
  );
}

export const LOCAL_LAYERS: ReadonlySet<Layer> = new Set(['L0', 'L1']);
