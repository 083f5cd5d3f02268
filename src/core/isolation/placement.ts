import type { PeerSidePlacement } from '../partner/session-peer';
import { accountRemote } from '../runner/attempt-core';
import type { ProbePlacement } from '../runner/run';
import { inPeerHost } from './in-peer-host';
import { outcomeOf, type PeerHostPool } from './pool';

/**
 * The runner's placement of a probe with peer hosts: the WebRTC probes run in them, the others in
 * this process. The runner knows only the `ProbePlacement` type (isolation uses the runner, never
 * the other way round: eslint.config.mjs).
 */
export function inPeerHosts(pool: PeerHostPool | null): ProbePlacement | undefined {
  if (!pool) return undefined;
  return (probe) => (probe.usesWebRtc ? inPeerHost(probe, pool) : probe);
}

/**
 * A partner session's placement of its WebRTC side with peer hosts: the side runs in one, its
 * signals cross both ways, what it opened there is counted on the session's ledger. Partner
 * sessions know only the `PeerSidePlacement` type (isolation uses partner, never the other way round).
 */
export function peerSidesInPeerHosts(pool: PeerHostPool | null): PeerSidePlacement | null {
  if (!pool) return null;
  return async (ctx, request, send, signals, signal) => {
    const reply = await pool.run(
      {
        type: 'partner',
        side: request,
        timeouts: ctx.timeouts,
        correlationId: ctx.correlationId,
        attempt: ctx.attempt,
      },
      { emit: ctx.emit, stage: ctx.stage, signal: send },
      signal,
      signals,
    );
    accountRemote(ctx.resources, reply.opened, 'a peer host');
    if (reply.leaked > 0) ctx.emit('peer-host.leaked', { resources: reply.leaked });
    return outcomeOf(reply);
  };
}
