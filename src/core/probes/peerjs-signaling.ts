import { randomBytes } from 'node:crypto';
import type { Timeouts } from '../../contract';
import { fetchId, openPeer, peerJsEndpoints } from './signaling/peerjs-wire';
import { connectionLost } from './signaling/websocket';
import { ProbeFailure, type Probe, type ProbeContext, type ResolvedTarget } from './types';

export { peerJsEndpoints } from './signaling/peerjs-wire';

type PeerJsTarget = Extract<ResolvedTarget, { kind: 'peerjs' }>;
type Metrics = Record<string, number | string | boolean | null>;

/**
 * PeerJsSignalingProbe: what a PeerJS client does, over raw HTTP and WebSockets: ask the server for
 * an id, open two peers (OPEN), pass a message from one to the other through the server (the way an
 * OFFER travels), and send a heartbeat. Invalid key, id taken, server 5xx and a socket closed
 * mid-handshake are each explained.
 */
export const peerJsSignalingProbe: Probe<PeerJsTarget> = {
  name: 'peerjs-signaling',
  kinds: ['peerjs'],
  deadlineMs: (t: Timeouts) => t.connectMs * 2 + t.offerMs + t.answerMs,
  run: runPeerJsSignaling,
};

async function runPeerJsSignaling(target: PeerJsTarget, ctx: ProbeContext) {
  const key = target.key ?? 'peerjs';
  const endpoints = peerJsEndpoints(target, key);
  const { connectMs, answerMs } = ctx.timeouts;
  const started = performance.now();

  ctx.stage('id');
  const idA = await fetchId(ctx, endpoints.id, connectMs);
  const idB = `rtc-triage-${randomBytes(8).toString('hex')}`;
  ctx.emit('peerjs.id', { id: idA });

  ctx.stage('open');
  const [a, b] = await Promise.all([
    openPeer(ctx, endpoints.socket(idA, randomBytes(8).toString('hex')), 'PeerJS peer A', connectMs),
    openPeer(ctx, endpoints.socket(idB, randomBytes(8).toString('hex')), 'PeerJS peer B', connectMs),
  ]);
  const openMs = round(performance.now() - started);
  ctx.emit('peerjs.open', { openMs });

  ctx.stage('relay');
  const sentAt = performance.now();
  const payload = { correlationId: ctx.correlationId, probe: 'rtc-triage' };
  b.socket.send(JSON.stringify({ type: 'OFFER', dst: idA, payload }));
  b.socket.send(JSON.stringify({ type: 'HEARTBEAT' }));
  ctx.emit('signal.offer.sent', { via: 'peerjs', dst: idA });
  const relayRttMs = await new Promise<number>((resolve, reject) => {
    const timer = ctx.resources.timeout('peerjs relay deadline', answerMs, () => {
      ctx.emit('signal.answer.timeout', { via: 'peerjs' });
      reject(
        new ProbeFailure(
          'timeout',
          'relay',
          `the PeerJS server accepted both peers but did not deliver the message within ${answerMs} ms`,
          { openMs },
        ),
      );
    });
    const onAbort = () => {
      timer.release();
      reject(new ProbeFailure('aborted', 'relay', 'cancelled'));
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    a.onMessage = (message) => {
      const data = message.payload as { correlationId?: unknown } | undefined;
      if (message.type === 'OFFER' && message.src === idB && data?.correlationId === ctx.correlationId) {
        timer.release();
        ctx.signal.removeEventListener('abort', onAbort);
        resolve(round(performance.now() - sentAt));
      }
    };
    for (const peer of [a, b]) {
      peer.onClose = (who) => {
        timer.release();
        ctx.signal.removeEventListener('abort', onAbort);
        reject(
          connectionLost(
            peer.link,
            'relay',
            'the PeerJS server',
            `the PeerJS server closed ${who}'s connection before the message was delivered`,
            { openMs },
          ),
        );
      };
    }
  });
  ctx.emit('signal.offer.received', { via: 'peerjs', relayRttMs });
  const metrics: Metrics = { openMs, relayRttMs, rttMs: relayRttMs, key };
  return { stage: 'relay', metrics };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
