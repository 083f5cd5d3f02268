import type { ProbePlacement } from '../runner/run';
import { inPeerHost } from './in-peer-host';
import type { PeerHostPool } from './pool';

/**
 * The runner's placement of a probe with peer hosts: the WebRTC probes run in them, the others in
 * this process. The runner knows only the `ProbePlacement` type (isolation uses the runner, never
 * the other way round: eslint.config.mjs).
 */
export function inPeerHosts(pool: PeerHostPool | null): ProbePlacement | undefined {
  if (!pool) return undefined;
  return (probe) => (probe.usesWebRtc ? inPeerHost(probe, pool) : probe);
}
