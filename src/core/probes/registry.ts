import type { TargetKind } from '../../contract';
import { stunBindingProbe } from './stun-binding';
import type { Probe, ResolvedTarget } from './types';

/** Every probe the runner knows. Adding a probe: write its file, add it here. */
export const PROBES: ReadonlyArray<Probe> = [stunBindingProbe as unknown as Probe];

export function probesFor(kind: TargetKind): Probe<ResolvedTarget>[] {
  return PROBES.filter((probe) => probe.kinds.includes(kind));
}
