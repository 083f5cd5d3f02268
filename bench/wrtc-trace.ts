/**
 * BENCH_TRACE_WRTC=1: times every synchronous call into @roamhq/wrtc's native binding (constructors,
 * methods, getters of RTCPeerConnection and RTCDataChannel) on the JS thread, so the benchmark can
 * say which calls hold it. Measurement only: it wraps the binding's prototypes in this process.
 */
import { createRequire } from 'node:module';

interface Tally {
  calls: number;
  totalMs: number;
  maxMs: number;
}

const tallies = new Map<string, Tally>();
let recording = false;

function count(name: string, ms: number): void {
  if (!recording) return;
  const tally = tallies.get(name) ?? { calls: 0, totalMs: 0, maxMs: 0 };
  tally.calls++;
  tally.totalMs += ms;
  tally.maxMs = Math.max(tally.maxMs, ms);
  tallies.set(name, tally);
}

function timed<T>(name: string, call: () => T): T {
  const t0 = performance.now();
  try {
    return call();
  } finally {
    count(name, performance.now() - t0);
  }
}

type Ctor = { new (...args: unknown[]): object; prototype: object };

/**
 * The binding's own prototypes cannot be patched (N-API defines their methods and accessors
 * non-configurable), so each native object is handed out behind a Proxy that times its property
 * reads (accessors run inside the read) and its method calls.
 */
function traced<T extends object>(className: string, target: T): T {
  return new Proxy(target, {
    get(object, key) {
      const name = `${className}.${String(key)}`;
      const value = timed(`${name} (get)`, () => Reflect.get(object, key, object) as unknown);
      if (typeof value !== 'function') return value;
      return function (...args: unknown[]) {
        const result = timed(name, () => (value as (...a: unknown[]) => unknown).apply(object, args));
        return key === 'createDataChannel' && result && typeof result === 'object'
          ? traced('RTCDataChannel', result)
          : result;
      };
    },
    set(object, key, value) {
      // lib/peerconnection.js hands its callbacks to the native object; a data channel it is
      // handed back is traced as well
      const wrapped =
        key === 'ondatachannel' && typeof value === 'function'
          ? (channel: object) => (value as (c: object) => unknown)(traced('RTCDataChannel', channel))
          : (value as unknown);
      return Reflect.set(object, key, wrapped, object);
    },
  });
}

/** Installs the wrappers; returns false when the binding cannot be loaded. */
export function traceWrtc(): boolean {
  const require = createRequire(__filename);
  let binding: Record<string, unknown>;
  try {
    binding = require('@roamhq/wrtc/lib/binding') as Record<string, unknown>;
  } catch {
    return false;
  }
  const Original = binding.RTCPeerConnection as Ctor | undefined;
  if (!Original) return false;
  // lib/peerconnection.js looks the constructor up on the binding at each `new`
  const Wrapped = function (...args: unknown[]) {
    return traced(
      'RTCPeerConnection',
      timed('RTCPeerConnection (new)', () => new Original(...args)),
    );
  } as unknown as Ctor;
  Wrapped.prototype = Original.prototype;
  binding.RTCPeerConnection = Wrapped;
  return true;
}

/** Only calls made while recording are counted (the benchmark records its full runs). */
export function recordWrtcTrace(on: boolean): void {
  recording = on;
}

/** Lines: name, calls and ms per full run, max single call; the dearest first. */
export function wrtcTraceLines(runs: number): string[] {
  const rows = [...tallies.entries()].sort((a, b) => b[1].totalMs - a[1].totalMs);
  const total = rows.reduce((sum, [, t]) => sum + t.totalMs, 0);
  const width = Math.max(4, ...rows.map(([name]) => name.length));
  return [
    `synchronous wrtc calls on the JS thread, per full run (${runs} runs): ${(total / runs).toFixed(1)} ms in all`,
    `  ${'call'.padEnd(width)}  ${'calls'.padStart(6)}  ${'ms'.padStart(7)}  ${'max ms'.padStart(7)}`,
    ...rows
      .filter(([, t]) => t.totalMs / runs >= 0.05)
      .map(
        ([name, t]) =>
          `  ${name.padEnd(width)}  ${(t.calls / runs).toFixed(1).padStart(6)}  ${(t.totalMs / runs).toFixed(2).padStart(7)}  ${t.maxMs.toFixed(2).padStart(7)}`,
      ),
  ];
}
