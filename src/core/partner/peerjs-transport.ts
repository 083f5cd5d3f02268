/**
 * A meeting point on a PeerJS server: the host opens a peer whose id is derived from the code, a
 * joiner opens one with a random id and writes to the host's. Frames travel as PeerJS messages
 * (type OFFER/ANSWER, the sealed frame as payload). A message to a peer that is not connected is
 * held by the server and, after its expire timeout (5 s by default), answered with EXPIRE: that is
 * how a joiner learns nobody waits behind a code, and how either side learns the other is gone.
 */
import { randomBytes } from 'node:crypto';
import type { ProbeContext } from '../probes/types';
import { openPeer, peerJsEndpoints } from '../probes/signaling/peerjs-wire';
import { ProbeFailure } from '../probes/types';
import type { PartnerKeys } from './code';
import type { PartnerTransport, PeerName, SignalingTarget } from './transport';

/** The server's id for a side of the meeting. Derived from the key material, never from the code. */
export function peerJsIdOf(keys: PartnerKeys, name: PeerName): string {
  return name === 'host' ? `rtct-h-${keys.rendezvousId}` : `rtct-j-${name}`;
}

export async function openPeerJsTransport(
  ctx: ProbeContext,
  target: Extract<SignalingTarget, { kind: 'peerjs' }>,
  keys: PartnerKeys,
  me: PeerName,
  stage: string,
): Promise<PartnerTransport> {
  const endpoints = peerJsEndpoints(target, target.key ?? 'peerjs');
  const myId = peerJsIdOf(keys, me);
  const peer = await openPeer(
    ctx,
    endpoints.socket(myId, randomBytes(8).toString('hex')),
    me === 'host' ? 'PeerJS partner host' : 'PeerJS partner joiner',
    ctx.timeouts.connectMs,
    stage,
  );
  let handler: (sealed: string, via: string | null) => void = () => {};
  let gone: (via: string) => void = () => {};
  let quiet = false;
  let fail: (error: ProbeFailure) => void = () => {};
  const failed = new Promise<never>((_resolve, reject) => {
    fail = reject;
  });
  failed.catch(() => {});

  peer.onMessage = (message) => {
    if (typeof message.src !== 'string') return;
    if (message.type === 'EXPIRE' || message.type === 'LEAVE') return gone(message.src);
    if (typeof message.payload === 'string') handler(message.payload, message.src);
  };
  peer.onClose = () => {
    if (!quiet)
      fail(
        new ProbeFailure('refused', 'signaling', `the PeerJS server at ${target.url} closed the connection`),
      );
  };

  return {
    target,
    me,
    failed,
    send: (to, seq, sealed) => {
      try {
        peer.socket.send(
          JSON.stringify({
            type: seq === 0 ? 'OFFER' : 'ANSWER',
            dst: peerJsIdOf(keys, to),
            payload: sealed,
          }),
        );
      } catch {
        // a socket that is no longer open: its close event reports the failure
      }
    },
    onFrame: (next) => {
      handler = next;
    },
    onPeerGone: (next) => {
      gone = next;
    },
    addressOf: (name) => peerJsIdOf(keys, name),
    quiet: () => {
      quiet = true;
    },
  };
}
