import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_NAMES, emitWith, type EmitFn, type EventName } from '../../src/contract';

const SRC = join(__dirname, '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

// Every way the engine names an event with a literal: `emit('x.y'`, `emitPartner(env, 'x.y'`,
// `this.emit('x.y'`, and event objects `{ name: 'x.y', at: … }`.
const EMIT_CALL = /\bemit\w*\(\s*(?:[\w.]+,\s*)?'([a-z0-9-]+(?:\.[a-z0-9-]+)+)'/g;
const EVENT_OBJECT = /\bname:\s*'([a-z0-9-]+(?:\.[a-z0-9-]+)+)',\s*\n?\s*at:/g;

describe('event names (contract/events.ts)', () => {
  it('every name the source emits is in EVENT_NAMES', () => {
    const listed = new Set<string>(EVENT_NAMES);
    const missing: string[] = [];
    let found = 0;
    for (const file of sourceFiles(SRC)) {
      const text = readFileSync(file, 'utf8');
      for (const pattern of [EMIT_CALL, EVENT_OBJECT]) {
        for (const match of text.matchAll(pattern)) {
          found++;
          const name = match[1] as string;
          if (!listed.has(name)) missing.push(`${relative(SRC, file)}: ${name}`);
        }
      }
    }
    // the scan finds the emitters (it would pass vacuously if the patterns matched nothing)
    expect(found).toBeGreaterThan(50);
    expect(missing).toEqual([]);
  });

  it('lists each name once', () => {
    expect(new Set(EVENT_NAMES).size).toBe(EVENT_NAMES.length);
  });

  it('a misspelt name does not compile (checked by tsc: npm run typecheck)', () => {
    const seen: string[] = [];
    const emit: EmitFn = (name) => void seen.push(name);
    emit('attempt.started', { probe: 'stun-binding', attempt: 1, targetUrl: 'stun:127.0.0.1:3478' });
    // @ts-expect-error 'attempt.strated' is not an EventName
    emit('attempt.strated');
    // @ts-expect-error the main events' data has a declared shape
    emit('engine.restarted', { pid: 'not a pid' });
    const name: string = 'attempt.started';
    // @ts-expect-error a plain string is not an EventName
    emit(name);
    expect(seen).toEqual(['attempt.started', 'attempt.strated', 'engine.restarted', 'attempt.started']);
  });

  it('emitWith adds its data to every event', () => {
    const seen: Array<[EventName, unknown]> = [];
    const emit = emitWith((name, data) => void seen.push([name, data]), { cell: 'tls:443:4' });
    emit('turn.allocate.success', { rttMs: 3 });
    emit('turn.refresh.released');
    expect(seen).toEqual([
      ['turn.allocate.success', { cell: 'tls:443:4', rttMs: 3 }],
      ['turn.refresh.released', { cell: 'tls:443:4' }],
    ]);
  });
});
