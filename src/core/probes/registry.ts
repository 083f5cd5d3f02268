import type { TargetKind } from '../../contract';
import { gunSignalingProbe } from './gun-signaling';
import { iceGatheringProbe } from './ice-gathering';
import { natBehaviorProbe } from './nat-behavior';
import { peerConnectionProbes } from './peer-connection';
import { peerJsSignalingProbe } from './peerjs-signaling';
import { signaledSessionProbe } from './signaled-session';
import { stunBindingProbe } from './stun-binding';
import { transportMatrixProbe } from './transport-matrix';
import { turnAllocationProbe } from './turn-allocation';
import type { Probe, ResolvedTarget } from './types';

/** Every probe the runner knows. Adding a probe: write its file, add it here. */
export const PROBES: ReadonlyArray<Probe> = [
  stunBindingProbe,
  natBehaviorProbe,
  turnAllocationProbe,
  transportMatrixProbe,
  gunSignalingProbe,
  peerJsSignalingProbe,
  iceGatheringProbe,
  ...peerConnectionProbes,
  signaledSessionProbe,
] as unknown as Probe[];

export function probesFor(kind: TargetKind | 'machine'): Probe<ResolvedTarget>[] {
  return PROBES.filter((probe) => (probe.kinds as ReadonlyArray<string>).includes(kind));
}

/** The probes that run against this target. */
export function probesForTarget(target: ResolvedTarget): Probe<ResolvedTarget>[] {
  return probesFor(target.kind).filter((probe) => probe.appliesTo?.(target) ?? true);
}
