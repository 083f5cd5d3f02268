/**
 * GUN's wire format, spoken over a raw WebSocket (no Gun instance: two Gun instances in one process
 * share state and would "relay" without the relay). A frame is a JSON object or an array of them:
 * `get` subscribes to a soul (node), `put` writes fields of a node with their HAM states, and a
 * relay's answer to a message carries that message's id in `@`. Shared by the GUN probes.
 */
import { randomBytes } from 'node:crypto';

export interface GunFrame {
  '#'?: string;
  '@'?: string;
  put?: Record<string, Record<string, unknown>>;
  get?: unknown;
  dam?: string;
}

/** The frames in one WebSocket message, or null when it is not GUN (garbage). */
export function parseGunFrames(text: string): GunFrame[] | null {
  try {
    const value: unknown = JSON.parse(text);
    const list = Array.isArray(value) ? value : [value];
    if (!list.every((item) => typeof item === 'object' && item !== null && !Array.isArray(item))) return null;
    return list as GunFrame[];
  } catch {
    return null;
  }
}

/** A fresh message id (GUN deduplicates by it, so every frame needs its own). */
export function gunMessageId(): string {
  return randomBytes(8).toString('hex');
}

/** `get` on a soul: the relay answers with what it holds and passes later writes to that soul. */
export function gunGetFrame(id: string, soul: string): string {
  return JSON.stringify({ '#': id, get: { '#': soul } });
}

/** `put` of some primitive fields of a node, each with the given HAM state (a timestamp). */
export function gunPutFrame(
  id: string,
  soul: string,
  fields: Record<string, string | number | boolean | null>,
  state = Date.now(),
): string {
  const states = Object.fromEntries(Object.keys(fields).map((field) => [field, state]));
  return JSON.stringify({ '#': id, put: { [soul]: { _: { '#': soul, '>': states }, ...fields } } });
}
