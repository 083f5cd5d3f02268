/**
 * A WebRTC session's signals through a GUN relay: peer A and peer B are two independent clients (raw
 * WebSockets speaking GUN's wire format, not Gun instances). Each subscribes to its own inbox soul;
 * a signal is a `put` of one field `m<seq>` (the JSON envelope) on the other side's inbox.
 */
import { randomBytes } from 'node:crypto';
import type { ProbeContext } from '../types';
import type { Side } from '../webrtc/peer-pair';
import { gunGetFrame, gunMessageId, gunPutFrame, parseGunFrames } from './gun-wire';
import { other, parseEnvelope, SessionChannels, type SessionTransport } from './session-transport';
import { signalingEndpoint, type SignalingEndpointTarget } from './endpoint';
import { connectionLost, frameText, openWebSocket, type OpenSocket } from './websocket';

const FIELD = /^m(\d{1,5})$/;

export async function openGunSession(
  ctx: ProbeContext,
  relay: SignalingEndpointTarget,
  stage: string,
  timeoutMs: number,
): Promise<SessionTransport> {
  const url = signalingEndpoint(relay, { protocol: 'websocket' });
  const [a, b] = await Promise.all([
    openWebSocket(ctx, url, 'GUN client A', stage, timeoutMs),
    openWebSocket(ctx, url, 'GUN client B', stage, timeoutMs),
  ]);
  const channels = new SessionChannels(ctx.correlationId);
  // registered after the sockets, so released before them: their close is then no failure
  ctx.resources.register('other', 'GUN session signaling', () => channels.close());

  const base = `rtc-triage/session/${ctx.correlationId}/${randomBytes(6).toString('hex')}`;
  const inbox = (side: Side) => `${base}/to-${side}`;
  const clients: Record<Side, OpenSocket> = { A: a, B: b };

  for (const side of ['A', 'B'] as const) {
    const client = clients[side];
    const { socket, onFrame } = client;
    const soul = inbox(side);
    onFrame((data) => {
      const text = frameText(data);
      const frames = text === null ? null : parseGunFrames(text);
      if (!frames) {
        channels.counts.garbage++;
        return;
      }
      for (const frame of frames) {
        const node = frame.put?.[soul];
        if (!node || typeof node !== 'object') continue;
        for (const [field, value] of Object.entries(node)) {
          if (!FIELD.test(field)) continue;
          const envelope = parseEnvelope(value, ctx.correlationId, side);
          // the inbox soul is this session's alone: anything else in it was damaged or misrouted
          if (envelope) channels.arrived(side, envelope);
          else channels.counts.garbage++;
        }
      }
    });
    socket.on('close', () =>
      channels.fail(
        connectionLost(
          client,
          stage,
          'the GUN relay',
          `the GUN relay closed client ${side}'s connection mid-session`,
        ),
      ),
    );
    socket.on('error', () => {});
    socket.send(gunGetFrame(gunMessageId(), soul));
  }

  return {
    via: 'gun',
    serverName: 'the GUN relay',
    eventData: { via: 'gun' },
    failed: channels.failed,
    counts: channels.counts,
    receive: (to, handler) => channels.receive(to, handler),
    send: (from, signal) => {
      const envelope = channels.envelope(from, signal);
      const frame = gunPutFrame(gunMessageId(), inbox(other(from)), {
        [`m${envelope.seq}`]: JSON.stringify(envelope),
      });
      try {
        clients[from].socket.send(frame);
      } catch {
        // a socket that is no longer open: its close event reports the failure
      }
    },
  };
}
