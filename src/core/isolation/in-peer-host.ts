import type { Probe, ProbeContext, ProbeSuccess, ResolvedTarget } from '../probes/types';
import type { LedgerScope } from '../runner/ledger';
import { outcomeOf, type PeerHostPool } from './pool';
import type { DoneReply } from './protocol';

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
      account(reply, ctx.resources);
      if (reply.leaked > 0) ctx.emit('peer-host.leaked', { resources: reply.leaked });
      return outcomeOf(reply);
    },
  };
}

/** The attempt's ledger counts what the host opened and released for it. */
function account(reply: DoneReply, resources: LedgerScope): void {
  for (const [kind, count] of Object.entries(reply.opened))
    for (let i = 0; i < (count ?? 0); i++)
      resources
        .register(kind as Parameters<LedgerScope['register']>[0], `${kind} (in a peer host)`, () => {})
        .release();
}
