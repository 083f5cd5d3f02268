/**
 * A meeting point on a GUN relay, spoken over a raw WebSocket (GUN's wire format, no Gun instance):
 * each side subscribes to its own inbox soul under the meeting's base, and a frame is a `put` of one
 * field `<sender>_<seq>` on the receiver's inbox. The host also keeps a sealed `state` record there,
 * so a joiner who comes after the host has gone still learns "used" or "expired".
 */
import { ProbeFailure, type ProbeContext } from '../probes/types';
import { gunGetFrame, gunMessageId, gunPutFrame, parseGunFrames } from '../probes/signaling/gun-wire';
import { signalingEndpoint } from '../probes/signaling/endpoint';
import { frameText, openWebSocket } from '../probes/signaling/websocket';
import {
  CLOCK_SKEW_ALLOWANCE_MS,
  type PeerName,
  type SignalingTarget,
  type StatefulTransport,
} from './transport';

const FIELD = /^(host|[0-9a-f]{16})_(\d{1,7})$/;

export async function openGunTransport(
  ctx: ProbeContext,
  target: Extract<SignalingTarget, { kind: 'gun' }>,
  base: string,
  me: PeerName,
  stage: string,
): Promise<StatefulTransport> {
  const { socket, onFrame } = await openWebSocket(
    ctx,
    signalingEndpoint(target, { protocol: 'websocket' }),
    'GUN partner client',
    stage,
    ctx.timeouts.connectMs,
  );
  const inbox = (name: PeerName) => `${base}/to/${name}`;
  const stateSoul = `${base}/state`;
  let handler: (sealed: string, via: string | null) => void = () => {};
  const stateWaiters = new Map<string, (sealed: string | null) => void>();
  let quiet = false;
  let fail: (error: ProbeFailure) => void = () => {};
  const failed = new Promise<never>((_resolve, reject) => {
    fail = reject;
  });
  failed.catch(() => {});
  // a HAM state in the past: never deferred by a relay whose clock is behind ours; increasing per write
  let writes = 0;
  const state = () => Date.now() - CLOCK_SKEW_ALLOWANCE_MS + (writes++ % 1000);

  onFrame((data) => {
    const text = frameText(data);
    const frames = text === null ? null : parseGunFrames(text);
    if (!frames) return;
    for (const frame of frames) {
      const answered = frame['@'] ? stateWaiters.get(frame['@']) : undefined;
      if (answered) {
        const node = frame.put?.[stateSoul] as Record<string, unknown> | undefined;
        answered(typeof node?.s === 'string' ? node.s : null);
      }
      const node = frame.put?.[inbox(me)];
      if (!node || typeof node !== 'object') continue;
      for (const [field, value] of Object.entries(node)) {
        if (FIELD.test(field) && typeof value === 'string') handler(value, null);
      }
    }
  });
  socket.on('close', () => {
    if (!quiet)
      fail(new ProbeFailure('refused', 'signaling', `the GUN relay at ${target.url} closed the connection`));
  });
  socket.on('error', () => {});
  const sendFrame = (frame: string) => {
    try {
      socket.send(frame);
    } catch {
      // a socket that is no longer open: its close event reports the failure
    }
  };
  sendFrame(gunGetFrame(gunMessageId(), inbox(me)));

  return {
    target,
    me,
    failed,
    send: (to, seq, sealed) =>
      sendFrame(gunPutFrame(gunMessageId(), inbox(to), { [`${me}_${seq}`]: sealed }, state())),
    onFrame: (next) => {
      handler = next;
    },
    onPeerGone: () => {},
    addressOf: () => null,
    quiet: () => {
      quiet = true;
    },
    writeState: (sealed) => sendFrame(gunPutFrame(gunMessageId(), stateSoul, { s: sealed }, state())),
    // The relay acknowledges a `get` with what it holds; an acknowledgement without data means "nothing here".
    readState: (timeoutMs) =>
      new Promise<string | null>((resolve, reject) => {
        const id = gunMessageId();
        const timer = ctx.resources.timeout('GUN state read deadline', timeoutMs, () => {
          stateWaiters.delete(id);
          reject(
            new ProbeFailure(
              'timeout',
              'rendezvous',
              `the GUN relay at ${target.url} did not answer a read within ${timeoutMs} ms`,
            ),
          );
        });
        stateWaiters.set(id, (sealed) => {
          stateWaiters.delete(id);
          timer.release();
          resolve(sealed);
        });
        sendFrame(gunGetFrame(id, stateSoul));
      }),
  };
}
