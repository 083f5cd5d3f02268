import { choose, pick, randomBytes, type Random } from './hostile-random';

/**
 * Seeded mutations of signaling frames (GUN and PeerJS speak JSON over WebSocket): what a broken or
 * hostile server might send instead of the frame it should. Each mutation is named, so a test can
 * show which kinds it tried.
 */
export interface WireFrame {
  data: string | Buffer;
  /** A binary frame; text otherwise (even for a Buffer, which may then be invalid UTF-8). */
  binary: boolean;
}

export type Dialect = 'gun' | 'peerjs';

/** Strings seen on the wire (ids, souls, correlation ids) that make mutations look plausible. */
export interface FrameHints {
  strings: string[];
}

export const MUTATIONS = [
  'bad-json',
  'wrong-shape',
  'wrong-type',
  'delete-field',
  'huge-string',
  'deep-nesting',
  'binary',
  'invalid-utf8',
  'duplicate',
  'inner-json',
  'dialect',
  'garbage-text',
  'empty',
] as const;
export type Mutation = 'pass' | (typeof MUTATIONS)[number];

/** The protocol-aware mutations reach deeper than byte-level damage, so they come up more often. */
const WEIGHTED: readonly (typeof MUTATIONS)[number][] = [
  ...MUTATIONS,
  'dialect',
  'dialect',
  'dialect',
  'inner-json',
  'inner-json',
  'wrong-type',
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = Array<string | number>;

const PEERJS_TYPES: Json[] = [
  'OPEN',
  'ID-TAKEN',
  'ERROR',
  'EXPIRE',
  'LEAVE',
  'OFFER',
  'ANSWER',
  'CANDIDATE',
  'HEARTBEAT',
  '',
  'open',
  7,
  null,
];

/**
 * The frame as sent, or mutated (probability 1 - `passRate`). Returns the wire frames (a mutation
 * may send none, one or several) and the mutation's name.
 */
export function mutateFrame(
  frame: Json,
  random: Random,
  hints: FrameHints,
  dialect: Dialect,
  passRate = 0.5,
): { frames: WireFrame[]; mutation: Mutation } {
  const text = JSON.stringify(frame);
  if (random() < passRate) return { frames: [{ data: text, binary: false }], mutation: 'pass' };
  const mutation = choose(random, WEIGHTED);
  const one = (data: string | Buffer, binary = false) => ({ frames: [{ data, binary }], mutation });
  switch (mutation) {
    case 'bad-json': {
      const cut = text.slice(0, pick(random, text.length));
      return one(choose(random, [cut, `${text},`, `${text}}`, text.replace(/"/, ''), `{${text}`]));
    }
    case 'wrong-shape':
      return one(JSON.stringify(weird(random, hints)));
    case 'wrong-type':
      return one(JSON.stringify(setAt(frame, choosePath(frame, random), weird(random, hints))));
    case 'delete-field':
      return one(JSON.stringify(deleteAt(frame, choosePath(frame, random))));
    case 'huge-string': {
      // 300 KB passes the probes' 256 KB frame limit: the client must refuse it, not choke on it
      const size = choose(random, [10_000, 200_000, 300_000]);
      return one(JSON.stringify(setAt(frame, choosePath(frame, random), 'A'.repeat(size))));
    }
    case 'deep-nesting': {
      const depth = choose(random, [64, 1000, 20_000]);
      const deep =
        random() < 0.5
          ? `${'['.repeat(depth)}0${']'.repeat(depth)}`
          : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      const marked = JSON.stringify(setAt(frame, choosePath(frame, random), '\u0000deep\u0000'));
      return one(marked.replace('"\\u0000deep\\u0000"', deep));
    }
    case 'binary':
      return one(Buffer.from(text), true);
    case 'invalid-utf8':
      return one(
        Buffer.concat([
          Buffer.from(text.slice(0, pick(random, text.length))),
          Buffer.from([0xff, 0xfe, 0xc3]),
        ]),
      );
    case 'duplicate':
      return {
        frames: Array.from({ length: 2 + pick(random, 3) }, () => ({ data: text, binary: false })),
        mutation,
      };
    case 'inner-json':
      return one(JSON.stringify(mutateInnerJson(frame, random, hints)));
    case 'dialect':
      return one(
        JSON.stringify(
          dialect === 'gun' ? gunNonsense(frame, random, hints) : peerJsNonsense(frame, random, hints),
        ),
      );
    case 'garbage-text':
      return one(randomText(random, 1 + pick(random, 400)));
    case 'empty':
      return one('');
  }
}

/** Values of the wrong type, including objects that break naive code (`String(x)`, prototype keys). */
export function weird(random: Random, hints: FrameHints): Json {
  const hint = hints.strings.length > 0 ? choose(random, hints.strings) : 'hint';
  const options: Array<() => Json> = [
    () => null,
    () => true,
    () => 0,
    () => -1,
    () => 1e308,
    () => 3.5,
    () => '',
    () => hint,
    () => `${hint}x`,
    () => randomText(random, pick(random, 200)),
    () => [],
    () => [null, [[]]],
    () => ({}),
    () => ({ toString: 1, valueOf: 1 }),
    () => ({ msg: { toString: 1, valueOf: 1 } }),
    () => JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}') as Json,
    () => ({ type: 'offer', sdp: 7 }),
    () => ({ type: 'answer', sdp: 'v=0\r\nnonsense' }),
    () => ({ type: 'candidate', candidate: { candidate: 'candidate:0 1 UDP 1 999.1.1.1 0 typ host' } }),
    () => ({ cid: hint, seq: 1e9, signal: { type: 'offer', sdp: 'x' } }),
    () => ({ cid: hint, seq: 0, signal: null }),
    () => ({ cid: hint, seq: -1, signal: { type: 'renegotiate' } }),
    () => ({ '#': hint, '@': hint, put: { [hint]: null } }),
  ];
  return choose(random, options)();
}

function randomText(random: Random, length: number): string {
  const alphabet = [
    'a',
    '{',
    '}',
    '[',
    '"',
    '\\',
    ':',
    ',',
    ' ',
    '\u00e9',
    '\u{1f600}',
    '\ud800',
    '\u0000',
    '\n',
  ];
  return Array.from({ length }, () =>
    random() < 0.5 ? choose(random, alphabet) : String.fromCharCode(pick(random, 0x3000)),
  ).join('');
}

/** Every path into a JSON value (bounded), the root included. */
function paths(value: Json, limit = 200): Path[] {
  const out: Path[] = [[]];
  const walk = (node: Json, path: Path) => {
    if (out.length >= limit || node === null || typeof node !== 'object') return;
    for (const key of Array.isArray(node) ? node.keys() : Object.keys(node)) {
      const child = Array.isArray(node) ? (node[key as number] as Json) : (node[key as string] as Json);
      out.push([...path, key]);
      walk(child, [...path, key]);
    }
  };
  walk(value, []);
  return out;
}

function choosePath(value: Json, random: Random): Path {
  const all = paths(value);
  // prefer leaves and deep fields: the root alone is 'wrong-shape'
  return all.length > 1 ? (all[1 + pick(random, all.length - 1)] as Path) : [];
}

/** A deep copy that keeps own `__proto__` keys (JSON round trip). */
function clone(value: Json): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

function setOwn(node: Json[] | { [key: string]: Json }, key: string | number, value: Json): void {
  Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
}

function setAt(root: Json, path: Path, value: Json): Json {
  if (path.length === 0) return value;
  const copy = clone(root);
  let node = copy;
  for (const key of path.slice(0, -1)) node = (node as Record<string, Json>)[key as string] as Json;
  if (node !== null && typeof node === 'object') setOwn(node, path.at(-1) as string | number, value);
  return copy;
}

function deleteAt(root: Json, path: Path): Json {
  if (path.length === 0) return null;
  const copy = clone(root);
  let node = copy;
  for (const key of path.slice(0, -1)) node = (node as Record<string, Json>)[key as string] as Json;
  if (node !== null && typeof node === 'object') delete (node as Record<string, Json>)[path.at(-1) as string];
  return copy;
}

function getAt(root: Json, path: Path): Json | undefined {
  let node: Json | undefined = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, Json>)[key as string];
  }
  return node;
}

/** A string field holding JSON (a GUN signal envelope) mutated inside, then stringified again. */
function mutateInnerJson(frame: Json, random: Random, hints: FrameHints): Json {
  const candidates = paths(frame).filter((path) => {
    const value = getAt(frame, path);
    return typeof value === 'string' && /^[[{]/.test(value);
  });
  const fallback = choosePath(frame, random);
  if (candidates.length === 0) return setAt(frame, fallback, weird(random, hints));
  const path = choose(random, candidates);
  let inner: Json;
  try {
    inner = JSON.parse(getAt(frame, path) as string) as Json;
  } catch {
    return setAt(frame, path, weird(random, hints));
  }
  const innerPath = choosePath(inner, random);
  const spoiled = random() < 0.5 ? setAt(inner, innerPath, weird(random, hints)) : deleteAt(inner, innerPath);
  // sometimes the envelope stays intact but its SDP or candidate text is damaged
  const text = JSON.stringify(spoiled);
  return setAt(frame, path, random() < 0.3 ? text.replace(/a=|candidate:|v=0/, 'x=') : text);
}

/** GUN nonsense: souls that are no souls, acknowledgements of anything, puts of the wrong shape. */
function gunNonsense(frame: Json, random: Random, hints: FrameHints): Json {
  const hint = hints.strings.length > 0 ? choose(random, hints.strings) : 'soul';
  const copy = clone(frame);
  const soul = choose(random, [
    '',
    '__proto__',
    'constructor',
    `${hint}/x`,
    hint.toUpperCase(),
    'x'.repeat(5000),
  ]);
  const options: Array<() => Json> = [
    () => ({
      '#': hint,
      '@': hint,
      put: JSON.parse(`{${JSON.stringify(soul)}:{"_":{"#":${JSON.stringify(soul)}},"msg":1}}`) as Json,
    }),
    () => ({ '@': hint, put: weird(random, hints) }),
    () => ({ '#': hint, put: { [hint]: weird(random, hints) } }),
    () => ({
      '#': hint,
      put: { [hint]: { _: weird(random, hints), m0: weird(random, hints), msg: weird(random, hints) } },
    }),
    () => [copy, copy, weird(random, hints)],
    () =>
      copy !== null && typeof copy === 'object' && !Array.isArray(copy)
        ? { ...copy, '#': hint, '@': hint }
        : copy,
    () => ({ '#': hint, get: weird(random, hints), dam: weird(random, hints) }),
  ];
  return choose(random, options)();
}

/** PeerJS nonsense: every message type, with payloads and sources of the wrong kind. */
function peerJsNonsense(frame: Json, random: Random, hints: FrameHints): Json {
  const hint = hints.strings.length > 0 ? choose(random, hints.strings) : 'peer';
  const base = frame !== null && typeof frame === 'object' && !Array.isArray(frame) ? clone(frame) : {};
  const message = base as Record<string, Json>;
  const type = choose(random, PEERJS_TYPES);
  const options: Array<() => Json> = [
    () => ({ type: 'ERROR', payload: { msg: weird(random, hints) } }),
    () => ({ type: 'ERROR', payload: weird(random, hints) }),
    () => ({ type, payload: weird(random, hints) }),
    () => ({
      type: choose(random, ['OFFER', 'ANSWER', 'CANDIDATE']),
      src: hint,
      payload: weird(random, hints),
    }),
    () => ({
      type: choose(random, ['OFFER', 'ANSWER', 'CANDIDATE']),
      src: weird(random, hints),
      payload: message.payload ?? null,
    }),
    () => ({ type: weird(random, hints), src: hint, payload: message.payload ?? null }),
    () => ({ ...message, type, dst: weird(random, hints) }),
    () => [message, message],
  ];
  return choose(random, options)();
}

/** Random bytes, for a frame that is not even text. */
export function garbageBytes(random: Random): Buffer {
  return randomBytes(random, 1 + pick(random, 300));
}
