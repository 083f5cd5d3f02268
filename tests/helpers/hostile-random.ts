/**
 * Seeded randomness for the adversarial tests: every run produces the same cases, so a failure
 * reproduces from the seed the test prints.
 */
export type Random = () => number;

/** mulberry32: small, fast, good enough to pick mutations. */
export function prng(seed: number): Random {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed derived from a base seed and case numbers, so each case (and each socket in it) has its own stream. */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let h = mix(seed ^ 0x9e3779b9);
  for (const part of parts) h = mix(h + Math.imul(part + 1, 0x27d4eb2d));
  return h;
}

/** murmur3's finaliser: every input bit changes about half the output bits. */
function mix(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** An integer in [0, n). */
export function pick(random: Random, n: number): number {
  return Math.floor(random() * n);
}

export function choose<T>(random: Random, items: readonly T[]): T {
  return items[pick(random, items.length)] as T;
}

export function randomBytes(random: Random, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = pick(random, 256);
  return out;
}
