/**
 * One side of the concurrency scenario, run inside lanA (offers) or lanB (answers): N simple-peer
 * peers (libwebrtc via @roamhq/wrtc), each pairing with its partner on the other LAN through the GUN
 * relay in pub — one WebSocket per peer speaking GUN's wire format, the project's own envelope — and
 * then a data-channel echo. Every socket, peer and timer is on an AttemptLedger; the last line says
 * what it left open (nothing, or the test fails).
 *
 * Usage: node peers-child.cjs offer|answer RELAY_URL PAIRS RUN_ID ICE_SERVERS_JSON DEADLINE_MS
 */
import type { Instance as SimplePeerInstance, SignalData } from 'simple-peer';
import WebSocket from 'ws';
import { AttemptLedger, type LedgerScope } from '../../../src/core/ledger/ledger';
import {
  gunGetFrame,
  gunMessageId,
  gunPutFrame,
  parseGunFrames,
} from '../../../src/core/probes/signaling/gun-wire';
import { parseEnvelope, SessionChannels } from '../../../src/core/probes/signaling/session-transport';
import { selectedPair } from '../../../src/core/probes/webrtc/selected-pair';
import type { IceServer } from '../../../src/core/probes/webrtc/ice-server-check';
import { loadWrtc, type NodePeerConnection } from '../../../src/core/probes/webrtc/wrtc';

type Role = 'offer' | 'answer';

export interface PairLine {
  pair: number;
  role: Role;
  outcome: 'echoed' | 'aborted';
  reason?: string;
  durationMs: number;
  timeToConnectMs?: number;
  echoRttMs?: number;
  local?: string | null;
  remote?: string | null;
}

const PINGS = 3;

function simplePeer(): Promise<new (options: Record<string, unknown>) => SimplePeerInstance> {
  return import('simple-peer').then(
    (module: unknown) =>
      ((module as { default?: unknown }).default ?? module) as new (
        options: Record<string, unknown>,
      ) => SimplePeerInstance,
  );
}

/** One peer: signal through the relay, connect, echo (offer side) or answer pings (answer side). */
async function runPeer(
  index: number,
  role: Role,
  options: { relay: string; run: string; iceServers: IceServer[]; deadlineMs: number },
  scope: LedgerScope,
): Promise<PairLine> {
  const started = performance.now();
  const line: PairLine = { pair: index, role, outcome: 'aborted', durationMs: 0 };
  const cid = `${options.run}-pair-${index}`;
  const soul = (to: Role) => `rtc-triage/lab/${options.run}/pair-${index}/to-${to}`;
  const me = role === 'offer' ? 'A' : 'B';
  const other: Role = role === 'offer' ? 'answer' : 'offer';
  const channels = new SessionChannels(cid);
  try {
    await new Promise<void>((resolve, reject) => {
      scope.timeout(`pair ${index} deadline`, options.deadlineMs, () =>
        reject(new Error(`no echo within ${options.deadlineMs} ms`)),
      );
      const socket = new WebSocket(options.relay.replace(/^http(s?):/, 'ws$1:'));
      scope.register('websocket', `pair ${index} GUN client`, () => socket.terminate());
      socket.on('error', (error) => reject(error));
      socket.on('close', () => reject(new Error('the GUN relay closed the connection')));
      socket.on('message', (data) => {
        const frames = parseGunFrames(data.toString());
        for (const frame of frames ?? []) {
          const node = frame.put?.[soul(role)];
          if (!node || typeof node !== 'object') continue;
          for (const [field, value] of Object.entries(node)) {
            if (!/^m\d+$/.test(field)) continue;
            const envelope = parseEnvelope(value, cid, me);
            if (envelope) channels.arrived(me, envelope);
          }
        }
      });
      socket.once('open', () => {
        socket.send(gunGetFrame(gunMessageId(), soul(role)));
        start(socket).catch(reject);
      });

      const start = async (ws: WebSocket) => {
        const wrtc = await loadWrtc('peer');
        const SimplePeer = await simplePeer();
        const peer = new SimplePeer({
          initiator: role === 'offer',
          wrtc,
          config: { iceServers: options.iceServers },
        });
        scope.register('peer-connection', `pair ${index} peer`, () => peer.destroy());
        peer.on('error', (error: Error) => reject(error));
        peer.on('signal', (signal: SignalData) => {
          const envelope = channels.envelope(me, signal);
          ws.send(
            gunPutFrame(gunMessageId(), soul(other), { [`m${envelope.seq}`]: JSON.stringify(envelope) }),
          );
        });
        channels.receive(me, (signal) => peer.signal(signal));
        peer.on('connect', () => {
          line.timeToConnectMs = Math.round(performance.now() - started);
          const pc = (peer as unknown as { _pc: NodePeerConnection })._pc;
          void selectedPair(pc).then((pair) => {
            line.local = pair.local;
            line.remote = pair.remote;
            if (role === 'offer') void echo(peer).then(resolve, reject);
          });
        });
        if (role === 'answer') {
          peer.on('data', (data: Buffer) => {
            const text = data.toString();
            if (text === 'bye') resolve();
            else peer.send(data);
          });
        }
      };
    });
    line.outcome = 'echoed';
  } catch (error) {
    line.reason = error instanceof Error ? error.message : String(error);
  } finally {
    channels.close();
    scope.releaseAll();
    line.durationMs = Math.round(performance.now() - started);
  }
  return line;

  async function echo(peer: SimplePeerInstance): Promise<void> {
    const rtts: number[] = [];
    for (let i = 0; i < PINGS; i++) {
      const payload = `ping:${index}:${i}`;
      const sent = performance.now();
      await new Promise<void>((done) => {
        const onData = (data: Buffer) => {
          if (data.toString() !== payload) return;
          peer.off('data', onData);
          done();
        };
        peer.on('data', onData);
        peer.send(payload);
      });
      rtts.push(performance.now() - sent);
    }
    line.echoRttMs = Math.round((rtts.sort((a, b) => a - b)[Math.floor(rtts.length / 2)] ?? 0) * 100) / 100;
    peer.send('bye');
    // let the bye leave before the peer is destroyed
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function main(): Promise<void> {
  const [role, relay, pairs, run, ice, deadline] = process.argv.slice(2);
  if ((role !== 'offer' && role !== 'answer') || !relay || !pairs || !run || !ice || !deadline) {
    throw new Error('usage: peers-child offer|answer RELAY_URL PAIRS RUN_ID ICE_SERVERS_JSON DEADLINE_MS');
  }
  const ledger = new AttemptLedger();
  const options = { relay, run, iceServers: JSON.parse(ice) as IceServer[], deadlineMs: Number(deadline) };
  const lines = await Promise.all(
    Array.from({ length: Number(pairs) }, (_, i) => runPeer(i, role, options, ledger.scope())),
  );
  for (const line of lines) process.stdout.write(`${JSON.stringify(line)}\n`);
  // native callbacks may still fire once; then count what is left open
  await new Promise((resolve) => setTimeout(resolve, 50));
  process.stdout.write(`${JSON.stringify({ ledger: ledger.counts(), outstanding: ledger.outstanding() })}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
