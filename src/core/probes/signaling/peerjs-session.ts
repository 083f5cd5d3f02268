/**
 * A WebRTC session's signals through a PeerJS server: peer A (with an id the server hands out) and
 * peer B (with its own id) are two independent PeerJS clients; the offer, answer and candidates travel
 * as OFFER / ANSWER / CANDIDATE messages, as a PeerJS app sends them, carrying the envelope as payload.
 */
import { randomBytes } from 'node:crypto';
import type { SignalData } from 'simple-peer';
import type { ProbeContext } from '../types';
import type { Side } from '../webrtc/peer-pair';
import type { SignalingEndpointTarget } from './endpoint';
import { fetchId, openPeer, peerJsEndpoints, type OpenPeer } from './peerjs-wire';
import { other, parseEnvelope, SessionChannels, type SessionTransport } from './session-transport';
import { connectionLost } from './websocket';

const SIGNAL_TYPES = new Set<unknown>(['OFFER', 'ANSWER', 'CANDIDATE']);

/** The PeerJS server only forwards these message types. */
function messageType(signal: SignalData): 'OFFER' | 'ANSWER' | 'CANDIDATE' {
  if (signal.type === 'offer') return 'OFFER';
  if (signal.type === 'answer') return 'ANSWER';
  return 'CANDIDATE';
}

export async function openPeerJsSession(
  ctx: ProbeContext,
  server: SignalingEndpointTarget,
  key: string,
  stage: string,
  timeoutMs: number,
): Promise<SessionTransport> {
  const endpoints = peerJsEndpoints(server, key);
  const ids: Record<Side, string> = {
    A: await fetchId(ctx, endpoints.id, timeoutMs, stage),
    B: `rtc-triage-${randomBytes(8).toString('hex')}`,
  };
  const token = () => randomBytes(8).toString('hex');
  const [a, b] = await Promise.all([
    openPeer(ctx, endpoints.socket(ids.A, token()), 'PeerJS peer A', timeoutMs, stage),
    openPeer(ctx, endpoints.socket(ids.B, token()), 'PeerJS peer B', timeoutMs, stage),
  ]);
  const channels = new SessionChannels(ctx.correlationId);
  // registered after the sockets, so released before them: their close is then no failure
  ctx.resources.register('other', 'PeerJS session signaling', () => channels.close());
  const peers: Record<Side, OpenPeer> = { A: a, B: b };

  for (const side of ['A', 'B'] as const) {
    const peer = peers[side];
    peer.onMessage = (message) => {
      if (message.src !== ids[other(side)]) return;
      const envelope = parseEnvelope(message.payload, ctx.correlationId, side);
      if (envelope) channels.arrived(side, envelope);
      // the other peer's id is this session's alone: a signal from it that does not parse was damaged
      else if (SIGNAL_TYPES.has(message.type)) channels.counts.garbage++;
    };
    peer.onClose = (who) =>
      channels.fail(
        connectionLost(
          peer.link,
          stage,
          'the PeerJS server',
          `the PeerJS server closed ${who}'s connection mid-session`,
        ),
      );
  }

  return {
    via: 'peerjs',
    serverName: 'the PeerJS server',
    eventData: { via: 'peerjs' },
    failed: channels.failed,
    counts: channels.counts,
    receive: (to, handler) => channels.receive(to, handler),
    send: (from, signal) => {
      const envelope = channels.envelope(from, signal);
      const frame = JSON.stringify({ type: messageType(signal), dst: ids[other(from)], payload: envelope });
      try {
        peers[from].socket.send(frame);
      } catch {
        // a socket that is no longer open: its close event reports the failure
      }
    },
  };
}
