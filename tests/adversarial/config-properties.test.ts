import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, TriageError } from '../../src/core/errors';
import { loadConfigFile, parseConfig } from '../../src/core/config/load';
import { resolveTargets } from '../../src/core/config/targets';
import { anyJson, anyValue, fieldProblem, hostileKey } from '../helpers/hostile-inputs';

const SEED = Number(process.env.RTC_TRIAGE_FUZZ_SEED ?? 3478);

/** The example of DESIGN.md §3: the valid config the near-valid mutations start from. */
const VALID = {
  targets: [
    { kind: 'stun', url: 'stun:127.0.0.1:3478' },
    { kind: 'turn', url: 'turn:127.0.0.1:3478?transport=udp', username: 'u', credential: 'p' },
    { kind: 'gun', url: 'http://127.0.0.1:8765/gun', id: 'relay' },
    { kind: 'peerjs', url: 'http://127.0.0.1:9000/peerjs', key: 'peerjs', label: 'PeerJS' },
  ],
  timeouts: { stunMs: 3000, iceGatheringMs: 5000, offerMs: 5000, answerMs: 5000, connectMs: 10000 },
  retry: { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 10000, multiplier: 2, jitter: 'full' },
  concurrency: 8,
};

type Path = Array<string | number>;

/** Every path into a value; own keys only (an array may carry a `constructor` key of its own). */
function paths(value: unknown, at: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [at];
  return [
    at,
    ...Object.keys(value).flatMap((key) => paths((value as Record<string, unknown>)[key], [...at, key])),
  ];
}

/** Values near the valid ones: edges of ranges, wrong types, plausible but wrong strings. */
const nearValue = fc.oneof(
  fc.constantFrom(
    0,
    -1,
    1,
    1.5,
    60_001,
    Number.MAX_SAFE_INTEGER,
    '',
    ' ',
    'stun:',
    'stun:[::1',
    'turn:host:0',
    'turn:host:65536?transport=udp',
    'turns:host?transport=udp',
    'http://',
    'ftp://127.0.0.1/gun',
    'http://127.0.0.1:99999/gun',
    'STUN:127.0.0.1',
    'stun:127.0.0.1:3478?transport=sctp',
    'x'.repeat(600),
    'relay',
    null,
    true,
    [],
    {},
  ),
  anyJson,
);

const mutation = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('delete', 'replace', 'add-key', 'duplicate-target', 'swap-type'),
  key: hostileKey,
  value: nearValue,
});

function applyMutation(config: unknown, m: { at: number; op: string; key: string; value: unknown }): unknown {
  const copy = structuredClone(config) as Record<string, unknown>;
  const all = paths(copy);
  const path = all[m.at % all.length] as Path;
  if (path.length === 0) return m.op === 'replace' ? m.value : copy;
  let parent: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path.at(-1) as string | number;
  switch (m.op) {
    case 'delete':
      if (Array.isArray(parent) && /^\d+$/.test(String(last)))
        Array.prototype.splice.call(parent, Number(last), 1);
      else delete parent[last];
      break;
    case 'replace':
      parent[last] = m.value;
      break;
    case 'add-key': {
      const target = parent[last];
      const holder = target !== null && typeof target === 'object' ? target : parent;
      // defineProperty: `__proto__` becomes an own key, as JSON.parse makes it
      Object.defineProperty(holder, m.key, {
        value: m.value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      break;
    }
    case 'duplicate-target': {
      const targets = copy.targets;
      if (Array.isArray(targets) && targets.length > 0)
        targets.push(structuredClone(targets[m.at % targets.length]));
      break;
    }
    case 'swap-type':
      // a string becomes a number (or a list), anything else its JSON text
      parent[last] =
        typeof parent[last] === 'string'
          ? Number(parent[last]) || [parent[last]]
          : (JSON.stringify(parent[last]) ?? 'undefined');
      break;
  }
  return copy;
}

/** parseConfig's contract: a valid Config, or a ConfigError naming a field the input has. */
function check(input: unknown): string | null {
  try {
    const config = parseConfig(input, 'prop.json');
    resolveTargets(config); // what the engine does next with an accepted config
    return null;
  } catch (error) {
    if (!(error instanceof ConfigError)) return `not a ConfigError: ${String(error)}`;
    return fieldProblem(input, error.field, error.message);
  }
}

describe('property: no config can crash the engine, every refusal names its field', () => {
  console.log(`config property seed: ${SEED} (set RTC_TRIAGE_FUZZ_SEED to replay another)`);
  const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-config-prop-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('arbitrary JSON values (2,000 runs)', () => {
    fc.assert(
      fc.property(anyJson, (input) => {
        expect(check(input)).toBeNull();
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('arbitrary JavaScript values: null prototypes, Maps, BigInt, boxed values, sparse arrays (2,000 runs)', () => {
    fc.assert(
      fc.property(anyValue, (input) => {
        expect(check(input)).toBeNull();
      }),
      { seed: SEED + 1, numRuns: 2000 },
    );
  });

  it('near-valid configs: one to three mutations of a valid one (3,000 runs)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        const input = mutations.reduce<unknown>((config, m) => applyMutation(config, m), VALID);
        const problem = check(input);
        expect(problem).toBeNull();
        if (problem === null) {
          try {
            parseConfig(input);
            accepted++;
          } catch {
            // refused, and named the field: checked above
          }
        }
      }),
      { seed: SEED + 2, numRuns: 3000 },
    );
    // the mutations stay near: some still make a valid config, most are refused
    expect(accepted).toBeGreaterThan(0);
  });

  it('config files: JSON text of near-valid configs and damaged text through loadConfigFile (300 runs)', () => {
    let n = 0;
    const textDamage = fc.constantFrom('none', 'truncate', 'bom', 'trailing-comma', 'comment', 'nul');
    fc.assert(
      fc.property(fc.array(mutation, { maxLength: 2 }), textDamage, fc.nat(), (mutations, damage, cut) => {
        const input = mutations.reduce<unknown>((config, m) => applyMutation(config, m), VALID);
        let text = JSON.stringify(input) ?? 'undefined';
        if (damage === 'truncate') text = text.slice(0, cut % (text.length + 1));
        if (damage === 'bom') text = `\ufeff${text}`;
        if (damage === 'trailing-comma') text = text.replace(/}$/, ',}');
        if (damage === 'comment') text = `// config\n${text}`;
        if (damage === 'nul') text = text.replace(/:/, ':\u0000');
        const file = join(dir, `config-${n++}.json`);
        writeFileSync(file, text);
        try {
          loadConfigFile(file);
        } catch (error) {
          expect(error).toBeInstanceOf(TriageError);
          const refusal = error as TriageError;
          expect(refusal.code).toBe('CONFIG_INVALID');
          // a file that is not JSON names the root; one that is names the field
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            expect(refusal.field).toBe('(root)');
            return;
          }
          expect(fieldProblem(parsed, refusal.field, refusal.message)).toBeNull();
        }
      }),
      { seed: SEED + 3, numRuns: 300 },
    );
  });
});
