import { randomBytes } from 'node:crypto';
import type { Timeouts } from '../../contract';
import { gunGetFrame, gunMessageId, gunPutFrame, parseGunFrames } from './signaling/gun-wire';
import { connectionLost, frameText, openWebSocket, type OpenSocket } from './signaling/websocket';
import { signalingEndpoint } from './signaling/endpoint';
import { ProbeFailure, type Probe, type ProbeContext, type ResolvedTarget } from './types';

type GunTarget = Extract<ResolvedTarget, { kind: 'gun' }>;

/**
 * GunSignalingProbe: proves a GUN relay relays. Two independent clients — raw WebSockets speaking
 * GUN's wire format, not Gun instances (two Gun instances in one process share state and would
 * "succeed" without the relay) — connect; A subscribes to a fresh soul, B writes to it, and the
 * relay must carry B's write, tagged with the correlation id, to A. Tells "unreachable" from
 * "accepts but does not relay" from "answers garbage".
 */
export const gunSignalingProbe: Probe<GunTarget> = {
  name: 'gun-signaling',
  kinds: ['gun'],
  deadlineMs: (t: Timeouts) => t.connectMs + t.offerMs + t.answerMs,
  run: runGunSignaling,
};

async function runGunSignaling(target: GunTarget, ctx: ProbeContext) {
  const url = signalingEndpoint(target, { protocol: 'websocket' });
  const { connectMs, offerMs, answerMs } = ctx.timeouts;
  ctx.stage('connect');
  const started = performance.now();
  const [a, b] = await Promise.all([
    openWebSocket(ctx, url, 'GUN client A', 'connect', connectMs),
    openWebSocket(ctx, url, 'GUN client B', 'connect', connectMs),
  ]);
  const connectMsTaken = round(performance.now() - started);
  ctx.emit('gun.connected', { connectMs: connectMsTaken });

  const soul = `rtc-triage/probe/${ctx.correlationId}/${randomBytes(6).toString('hex')}`;
  const getId = gunMessageId();
  const putId = gunMessageId();
  const stats = { garbage: 0, frames: 0, lastGarbage: '' };

  return new Promise<{ stage: string; metrics: Record<string, number | string | boolean | null> }>(
    (resolve, reject) => {
      let settled = false;
      let putSentAt = 0;
      let stage = 'subscribe';
      const timers: Array<{ release(): void }> = [];
      const settle = (
        outcome:
          | { ok: { stage: string; metrics: Record<string, number | string | boolean | null> } }
          | { error: ProbeFailure },
      ) => {
        if (settled) return;
        settled = true;
        for (const t of timers) t.release();
        ctx.signal.removeEventListener('abort', onAbort);
        if ('ok' in outcome) resolve(outcome.ok);
        else reject(outcome.error);
      };
      const onAbort = () => settle({ error: new ProbeFailure('aborted', stage, 'cancelled') });
      ctx.signal.addEventListener('abort', onAbort, { once: true });

      const inspect = (who: 'A' | 'B', client: OpenSocket) => {
        const { socket, onFrame } = client;
        onFrame((data) => {
          const text = frameText(data);
          const frames = text === null ? null : parseGunFrames(text);
          if (!frames) {
            stats.garbage++;
            stats.lastGarbage = (text ?? '<binary or oversized frame>').slice(0, 80);
            ctx.emit('gun.frame.garbage', { client: who, sample: stats.lastGarbage });
            return;
          }
          stats.frames += frames.length;
          for (const frame of frames) {
            if (who === 'A' && frame['@'] === getId && stage === 'subscribe') sendPut();
            if (who === 'A' && frame.put && frame.put[soul]) {
              const node = frame.put[soul] as { msg?: unknown };
              if (node.msg === ctx.correlationId && putSentAt > 0) {
                const relayRttMs = round(performance.now() - putSentAt);
                ctx.emit('signal.answer.received', { via: 'gun', relayRttMs });
                settle({
                  ok: {
                    stage: 'relay',
                    metrics: {
                      connectMs: connectMsTaken,
                      relayRttMs,
                      rttMs: relayRttMs,
                      frames: stats.frames,
                      garbageFrames: stats.garbage,
                    },
                  },
                });
              }
            }
          }
        });
        socket.on('close', () => {
          if (!settled) {
            settle({
              error: connectionLost(
                client,
                stage,
                'the GUN relay',
                `the GUN relay closed client ${who}'s connection before the message was relayed`,
                { connectMs: connectMsTaken },
              ),
            });
          }
        });
        socket.on('error', () => {});
      };
      inspect('A', a);
      inspect('B', b);

      const sendPut = () => {
        stage = 'relay';
        ctx.stage('relay');
        putSentAt = performance.now();
        b.socket.send(gunPutFrame(putId, soul, { msg: ctx.correlationId }));
        ctx.emit('signal.offer.sent', { via: 'gun', soul });
        timers.push(
          ctx.resources.timeout('gun relay deadline', answerMs, () => {
            ctx.emit('signal.answer.timeout', { via: 'gun' });
            settle({
              error: relayFailure(
                'relay',
                `the GUN relay accepted both clients but did not relay the message within ${answerMs} ms`,
              ),
            });
          }),
        );
      };
      const relayFailure = (where: string, silence: string) =>
        stats.garbage > 0
          ? new ProbeFailure(
              'malformed-reply',
              where,
              `the GUN relay answers garbage (${stats.garbage} frames that are not GUN messages; e.g. "${stats.lastGarbage}")`,
              {
                connectMs: connectMsTaken,
                garbageFrames: stats.garbage,
              },
            )
          : new ProbeFailure('timeout', where, silence, { connectMs: connectMsTaken, frames: stats.frames });

      // A subscribes; a relay acknowledges the get (`@`), then B writes. If no ack comes, write anyway
      // after offerMs: some relays do not acknowledge gets for empty souls.
      ctx.stage('subscribe');
      a.socket.send(gunGetFrame(getId, soul));
      timers.push(
        ctx.resources.timeout('gun subscribe wait', offerMs, () => {
          if (stage === 'subscribe') sendPut();
        }),
      );
    },
  );
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
