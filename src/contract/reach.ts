import { z } from 'zod';
import { isLocalOnly, addressScope } from './address-scope';
import type { Target } from './config';
import { publicUrl } from './public-url';
import { hostOfUrl } from './target-url';

/**
 * Whether a partner on another network can use the servers this tester is configured with: the
 * partner test meets through a signaling server (GUN/PeerJS) both sides reach, and its relayed
 * session needs a TURN server both sides reach. A loopback, private or mDNS host is reachable only
 * from this machine or its own network, so the partner screen and `rtc-triage partner` warn first.
 */
export const PartnerReachSchema = z.object({
  localOnly: z.array(
    z.object({
      role: z.enum(['signaling', 'relay']),
      url: z.string(),
      scope: z.enum(['loopback', 'private', 'mdns']),
    }),
  ),
  /** No signaling server a remote partner could reach: pairing across networks cannot work. */
  pairingBlocked: z.boolean(),
  /** No TURN server a remote partner could reach: the relayed session cannot cross networks. */
  relayBlocked: z.boolean(),
  /** The warning in words, one sentence each (empty: nothing to warn about). */
  sentences: z.array(z.string()),
});
export type PartnerReach = z.infer<typeof PartnerReachSchema>;

const SCOPE_WORDS = { loopback: 'this machine', private: 'this network', mdns: 'this network' } as const;

export function partnerReach(targets: ReadonlyArray<Pick<Target, 'kind' | 'url'>>): PartnerReach {
  const localOnly: PartnerReach['localOnly'] = [];
  const count = { signaling: 0, relay: 0 };
  for (const target of targets) {
    const role =
      target.kind === 'gun' || target.kind === 'peerjs'
        ? 'signaling'
        : target.kind === 'turn'
          ? 'relay'
          : null;
    if (!role) continue;
    count[role]++;
    const host = hostOfUrl(target.url);
    if (host === null || !isLocalOnly(host)) continue;
    const scope = addressScope(host) as 'loopback' | 'private' | 'mdns';
    localOnly.push({ role, url: publicUrl(target.url), scope });
  }
  const of = (role: 'signaling' | 'relay') => localOnly.filter((s) => s.role === role);
  const listed = (role: 'signaling' | 'relay') =>
    of(role)
      .map((s) => `${s.url} (${SCOPE_WORDS[s.scope]} only)`)
      .join(', ');
  const pairingBlocked = count.signaling > 0 && of('signaling').length === count.signaling;
  const relayBlocked = count.relay > 0 && of('relay').length === count.relay;
  const sentences: string[] = [];
  if (pairingBlocked)
    sentences.push(
      `A partner on another network can never pair with you: every signaling server is reachable only from here: ${listed('signaling')}. ` +
        'A remote partner needs a GUN relay or PeerJS server both of you can reach (a public host name or address); add one in Servers.',
    );
  else if (of('signaling').length > 0)
    sentences.push(
      `A remote partner cannot use ${listed('signaling')}; pairing goes through the other signaling servers.`,
    );
  if (relayBlocked)
    sentences.push(
      `The relayed session cannot cross networks: every TURN server is reachable only from here: ${listed('relay')}. ` +
        'A remote partner needs a TURN server both of you can reach, ideally turns: on port 443.',
    );
  else if (of('relay').length > 0)
    sentences.push(
      `A remote partner cannot use ${listed('relay')}; the relayed session uses the other TURN servers.`,
    );
  return { localOnly, pairingBlocked, relayBlocked, sentences };
}
