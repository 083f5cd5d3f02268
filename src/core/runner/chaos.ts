import type { FeatureFlags } from '../../contract';
import { ProbeFailure, type ResolvedTarget } from '../probes/types';

/**
 * The seed's `gunSignalChaos` flag: fault injection for drills. With `flags.chaos` on, a share of the
 * attempts against servers (layers L2–L4) fail with an injected timeout before the probe runs, so a
 * drill exercises retries, verdicts, alerts and dashboards without touching a real network. This
 * machine (L0) and the embedded lab (L1) are never hit: a drill must not make the tool doubt itself.
 */
export interface Chaos {
  failureRate: number;
  random: () => number;
}

export function chaosFrom(flags: FeatureFlags | undefined, random: () => number = Math.random): Chaos | null {
  if (!flags?.chaos || flags.chaosFailureRate <= 0) return null;
  return { failureRate: flags.chaosFailureRate, random };
}

export function injectsFault(chaos: Chaos | null | undefined, target: ResolvedTarget): boolean {
  if (!chaos) return false;
  if (target.layer === 'L0' || target.layer === 'L1') return false;
  return chaos.random() < chaos.failureRate;
}

export const CHAOS_STAGE = 'chaos';

export function chaosFault(): ProbeFailure {
  return new ProbeFailure(
    'timeout',
    CHAOS_STAGE,
    'chaos drill: fault injected on purpose (flags.chaos is on)',
    {
      chaos: true,
    },
  );
}
