import type { Timeouts } from '../../contract';
import { probesForTarget } from '../probes/registry';
import type { Probe, ResolvedTarget } from '../probes/types';

export interface PlannedJob {
  target: ResolvedTarget;
  probe: Probe;
}

/**
 * The order jobs start in. Longest expected first: a diagnosis lasts at least as long as its slowest
 * job, and with more jobs than `concurrency` slots a slow job queued behind quick ones ends last. So
 * the WebRTC sessions and ICE gathering, which mostly wait on the network and on libwebrtc's own
 * timers, take the slots first, and the quick STUN/TURN/signaling probes fill the slots they free.
 * Among probes that declare no expected time (quick ones), the longer deadline starts first.
 */
export function planJobs(targets: readonly ResolvedTarget[], timeouts: Timeouts): PlannedJob[] {
  return targets
    .flatMap((target) => probesForTarget(target).map((probe) => ({ target, probe })))
    .sort(
      (a, b) =>
        (b.probe.expectedMs ?? 0) - (a.probe.expectedMs ?? 0) ||
        b.probe.deadlineMs(timeouts) - a.probe.deadlineMs(timeouts),
    );
}
