import type { Probe, ProbeContext, ProbeSuccess, ResolvedTarget } from '../probes/types';
import { accountRemote } from '../runner/attempt-core';
import { outcomeOf, type PeerHostPool } from './pool';

/**
 * The probe, run in a peer host (waiting for one to be ready: never in this process). Its events,
 * stages, outcome and the resources it opened in the host come back into the attempt as if it ran here.
 */
export function inPeerHost<T extends ResolvedTarget>(probe: Probe<T>, pool: PeerHostPool): Probe<T> {
  return {
    ...probe,
    run: async (target: T, ctx: ProbeContext): Promise<ProbeSuccess> => {
      const reply = await pool.run(
        {
          type: 'run',
          probe: probe.name,
          target,
          targets: [...ctx.targets],
          timeouts: ctx.timeouts,
          correlationId: ctx.correlationId,
          attempt: ctx.attempt,
        },
        { emit: ctx.emit, stage: ctx.stage },
        ctx.signal,
      );
      accountRemote(ctx.resources, reply.opened, 'a peer host');
      if (reply.leaked > 0) ctx.emit('peer-host.leaked', { resources: reply.leaked });
      return outcomeOf(reply);
    },
  };
}
