import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import { mutateFrame, type Dialect, type FrameHints, type Mutation } from './hostile-frames';
import { choose, deriveSeed, pick, prng, type Random } from './hostile-random';
import { startHostileWs } from './hostile-ws';

/**
 * Signaling servers that work, but damage what they send: a GUN relay and a PeerJS server on
 * loopback that do their job (acknowledge, relay, hand out ids, send OPEN, forward OFFERs) and pass
 * every outgoing frame through the seeded mutations of hostile-frames.ts. Every case gets its own
 * room (`/case/<n>/…` in the URL) and every client its own random stream derived from (seed, case,
 * role), so concurrent cases do not disturb each other and a case replays its damage. (Outcomes can
 * still differ slightly between runs: whether a damaged frame lands before or after a deadline is a
 * matter of timing.)
 * `passRate` is the share of frames sent intact: lower to hit the parsers, higher to let sessions
 * get far enough for the damage to reach the offer, the answer and the candidates.
 */
export interface MutatingServer {
  /** `${url}/case/<n>/gun` or `${url}/case/<n>/peerjs` is case n's target URL. */
  url: string;
  /** How often each mutation was sent, over all cases. */
  mutations(): Record<string, number>;
  close(): Promise<void>;
}

type Json = Parameters<typeof mutateFrame>[0];

interface Room {
  hints: FrameHints;
}

function roomOf(path: string): number | null {
  const match = /^\/case\/(\d+)\//.exec(path);
  return match ? Number(match[1]) : null;
}

function rememberHint(hints: FrameHints, value: unknown): void {
  if (typeof value === 'string' && value.length > 0 && value.length < 200 && hints.strings.length < 64)
    hints.strings.push(value);
}

function parseJson(data: WebSocket.RawData): unknown {
  try {
    return JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : String(data));
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Mutator {
  readonly counts: Record<string, number> = {};
  constructor(
    private readonly dialect: Dialect,
    private readonly passRate: number,
  ) {}

  send(socket: WebSocket, frame: Json, random: Random, hints: FrameHints, passRate = this.passRate): void {
    const { frames, mutation } = mutateFrame(frame, random, hints, this.dialect, passRate);
    this.count(mutation);
    for (const out of frames) {
      if (socket.readyState !== socket.OPEN) return;
      socket.send(out.data, { binary: out.binary });
    }
  }

  count(mutation: Mutation | string): void {
    this.counts[mutation] = (this.counts[mutation] ?? 0) + 1;
  }
}

/** A GUN relay that subscribes, acknowledges and relays puts, with every frame it sends mutated. */
export async function startMutatingGunRelay(seed: number, passRate = 0.5): Promise<MutatingServer> {
  const mutator = new Mutator('gun', passRate);
  const rooms = new Map<number, Room & { subscribers: Map<string, Set<WebSocket>>; ids: number }>();
  const streams = new WeakMap<WebSocket, Random>();

  const server = await startHostileWs({
    onConnection: (socket, url) => {
      const n = roomOf(url.pathname) ?? -1;
      let room = rooms.get(n);
      if (!room) {
        room = { hints: { strings: [] }, subscribers: new Map(), ids: 0 };
        rooms.set(n, room);
      }
      const r = room;
      const id = () => `relay${(r.ids++).toString(36)}`;
      socket.on('error', () => {});
      socket.on('message', (data) => {
        const parsed = parseJson(data);
        const frames = Array.isArray(parsed) ? parsed : [parsed];
        let random = streams.get(socket);
        if (!random) {
          // the socket's stream follows its role, not the order in which the two clients connected
          random = prng(deriveSeed(seed, n, gunRole(frames[0])));
          streams.set(socket, random);
          // some relays greet with something of their own before answering
          if (random() < 0.25) mutator.send(socket, { dam: 'hi', '#': id() }, random, r.hints, 0);
        }
        for (const frame of frames) {
          if (!isObject(frame)) continue;
          rememberHint(r.hints, frame['#']);
          const get = frame.get;
          if (isObject(get) && typeof get['#'] === 'string') {
            const soul = get['#'];
            rememberHint(r.hints, soul);
            let subscribed = r.subscribers.get(soul);
            if (!subscribed) r.subscribers.set(soul, (subscribed = new Set()));
            subscribed.add(socket);
            mutator.send(socket, { '#': id(), '@': frame['#'] as string }, random, r.hints);
          }
          if (isObject(frame.put)) {
            for (const [soul, node] of Object.entries(frame.put)) {
              rememberHint(r.hints, soul);
              if (isObject(node))
                for (const value of Object.values(node)) rememberHint(r.hints, cidOf(value));
              for (const subscriber of r.subscribers.get(soul) ?? []) {
                const frameOut = { '#': id(), put: { [soul]: node as Json } };
                mutator.send(subscriber, frameOut, streams.get(subscriber) ?? random, r.hints);
              }
            }
            mutator.send(socket, { '#': id(), '@': frame['#'] as string, ok: { '': 1 } }, random, r.hints);
          }
        }
      });
    },
  });
  return { url: server.url, mutations: () => ({ ...mutator.counts }), close: () => server.close() };
}

/**
 * Which client a GUN socket is, from its first frame: the probe's subscriber or peer A's inbox (0),
 * the probe's writer or peer B's inbox (1), anything else (2).
 */
function gunRole(first: unknown): number {
  if (!isObject(first)) return 2;
  const soul = isObject(first.get) ? first.get['#'] : undefined;
  if (typeof soul === 'string') return soul.endsWith('/to-B') ? 1 : 0;
  return isObject(first.put) ? 1 : 2;
}

/** The correlation id inside a GUN signal envelope (a JSON string), as a hint. */
function cidOf(value: unknown): unknown {
  if (typeof value !== 'string' || !value.startsWith('{')) return undefined;
  try {
    return (JSON.parse(value) as { cid?: unknown }).cid;
  } catch {
    return undefined;
  }
}

/** A PeerJS server that hands out ids, opens peers and forwards messages, with every frame it sends mutated. */
export async function startMutatingPeerJs(seed: number, passRate = 0.5): Promise<MutatingServer> {
  const mutator = new Mutator('peerjs', passRate);
  const rooms = new Map<number, Room & { peers: Map<string, WebSocket>; ids: number }>();
  const room = (n: number) => {
    let found = rooms.get(n);
    if (!found) {
      found = { hints: { strings: [] }, peers: new Map(), ids: 0 };
      rooms.set(n, found);
    }
    return found;
  };

  const onHttp = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const n = roomOf(path);
    if (n === null || !path.endsWith('/id')) {
      res.statusCode = 404;
      res.end();
      return;
    }
    const r = room(n);
    const random = prng(deriveSeed(seed, n, 1000 + r.ids++));
    const peerId = `fuzz-${n}-${pick(random, 1e9)}`;
    r.hints.strings.push(peerId);
    if (random() < 0.15) {
      // the id endpoint itself misbehaves
      mutator.count('http-id');
      res.statusCode = choose(random, [200, 200, 204, 302, 400, 404, 500, 503]);
      res.end(choose(random, ['', 'two words', '{"id":1}', 'é'.repeat(100), 'x'.repeat(300_000), peerId]));
      return;
    }
    res.end(peerId);
  };

  const server = await startHostileWs({
    onHttp,
    onConnection: (socket, url) => {
      const n = roomOf(url.pathname) ?? -1;
      const r = room(n);
      const peerId = url.searchParams.get('id') ?? '';
      // peer A asked the id endpoint for its id; peer B made its own: the stream follows the role
      const random = prng(deriveSeed(seed, n, peerId.startsWith('fuzz-') ? 0 : 1));
      rememberHint(r.hints, peerId);
      r.peers.set(peerId, socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        if (r.peers.get(peerId) === socket) r.peers.delete(peerId);
      });
      mutator.send(socket, { type: 'OPEN' }, random, r.hints);
      socket.on('message', (data) => {
        const message = parseJson(data);
        if (!isObject(message) || typeof message.type !== 'string' || message.type === 'HEARTBEAT') return;
        rememberHint(r.hints, message.dst);
        if (isObject(message.payload)) rememberHint(r.hints, message.payload.cid);
        const to = typeof message.dst === 'string' ? r.peers.get(message.dst) : undefined;
        if (!to) return;
        const forwarded = {
          type: message.type,
          src: peerId,
          dst: message.dst as Json,
          payload: message.payload as Json,
        };
        mutator.send(to, forwarded, random, r.hints);
      });
    },
  });
  return { url: server.url, mutations: () => ({ ...mutator.counts }), close: () => server.close() };
}

/**
 * A GUN relay that relays faithfully, but hands every value of a session's signal fields (`m<seq>`:
 * the JSON envelope) to `damage` first. With `misroute`, every put lands in every subscribed soul,
 * so each peer also receives its own signals.
 */
export async function startDamagingGunRelay(options: {
  damage?: (envelope: string) => string;
  misroute?: boolean;
}): Promise<{ url: string; close(): Promise<void> }> {
  const subscribers = new Map<string, Set<WebSocket>>();
  let nextId = 0;
  const server = await startHostileWs({
    onConnection: (socket) => {
      socket.on('error', () => {});
      socket.on('message', (data) => {
        const frame = parseJson(data);
        if (!isObject(frame)) return;
        const get = frame.get;
        if (isObject(get) && typeof get['#'] === 'string') {
          let subscribed = subscribers.get(get['#']);
          if (!subscribed) subscribers.set(get['#'], (subscribed = new Set()));
          subscribed.add(socket);
          socket.send(JSON.stringify({ '#': `d${nextId++}`, '@': frame['#'] }));
        }
        if (!isObject(frame.put)) return;
        for (const [soul, node] of Object.entries(frame.put)) {
          if (!isObject(node)) continue;
          const damaged: Record<string, unknown> = { ...node };
          for (const [field, value] of Object.entries(node))
            if (/^m\d+$/.test(field) && typeof value === 'string')
              damaged[field] = options.damage?.(value) ?? value;
          // misrouted: the put lands in every inbox, the sender's own included
          const targets: Array<[string, Set<WebSocket>]> = options.misroute
            ? [...subscribers.entries()]
            : [[soul, subscribers.get(soul) ?? new Set()]];
          for (const [inbox, sockets] of targets) {
            const text = JSON.stringify({ '#': `d${nextId++}`, put: { [inbox]: damaged } });
            for (const subscriber of sockets)
              if (subscriber.readyState === subscriber.OPEN) subscriber.send(text);
          }
        }
      });
    },
  });
  return server;
}

/** A `damage` for startDamagingGunRelay that changes the signal inside the envelope. */
export function damageSignal(change: (signal: Record<string, unknown>) => Record<string, unknown>) {
  return (envelope: string): string => {
    const parsed = JSON.parse(envelope) as { signal: Record<string, unknown> };
    return JSON.stringify({ ...parsed, signal: change(parsed.signal) });
  };
}
