import { randomBytes } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { resolveHost } from '../probes/resolve';
import { StunClient } from '../probes/stun/client';
import { encodeMessage, mappedAddress, MessageType } from '../probes/stun/message';
import { ProbeFailure, type ConfiguredTarget, type ProbeContext } from '../probes/types';

export type NatPresence = 'nat' | 'none' | 'unknown';

/**
 * Is there a NAT between this machine and the STUN server? When the server sees one of this
 * machine's own addresses there is none: then libwebrtc drops the reflexive candidate as a
 * duplicate of a host one, and this side's host candidate is its reflexive address. Any failure is
 * `unknown`: the reflexive session itself will then say what is wrong.
 */
export async function natPresence(
  ctx: ProbeContext,
  stun: ConfiguredTarget | undefined,
): Promise<NatPresence> {
  if (!stun) return 'unknown';
  if (stun.kind !== 'stun' && stun.kind !== 'turn') return 'unknown';
  const uri = stun.parsed;
  if (uri.transport !== 'udp') return 'unknown';
  try {
    const resolved = await resolveHost(uri.host, ctx.lookup, 'nat-check');
    const client = await StunClient.open(ctx, {
      transport: 'udp',
      family: resolved.family,
      server: { address: resolved.address, port: uri.port },
      connected: true,
    });
    const transactionId = randomBytes(12);
    const reply = await client.request(
      encodeMessage(MessageType.BindingRequest, transactionId),
      transactionId,
      {
        timeoutMs: ctx.timeouts.stunMs,
        stage: 'nat-check',
      },
    );
    const mapped = mappedAddress(reply.message);
    if (!mapped) return 'unknown';
    const own = Object.values(networkInterfaces())
      .flat()
      .map((info) => info?.address);
    return own.includes(mapped.address) ? 'none' : 'nat';
  } catch (error) {
    if (error instanceof ProbeFailure && error.errorClass === 'aborted') throw error;
    return 'unknown';
  } finally {
    ctx.resources.releaseAll();
  }
}
