import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIceServerUri } from '../../contract';
import { ConfigError, TriageError } from '../errors';
import { loadConfigFile, parseConfig } from './load';
import { resolveTargets } from './targets';
import { defaultConfigPath } from './resources';

function refusal(input: unknown): ConfigError {
  try {
    parseConfig(input, 'test.json');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('config was accepted');
}

describe('config validation', () => {
  it('fills every default from the seed', () => {
    const config = parseConfig({ targets: [{ kind: 'stun', url: 'stun:127.0.0.1:3478' }] });
    expect(config.timeouts).toEqual({
      stunMs: 3000,
      iceGatheringMs: 5000,
      offerMs: 5000,
      answerMs: 5000,
      connectMs: 10000,
    });
    expect(config.retry).toEqual({
      maxAttempts: 5,
      baseDelayMs: 1000,
      maxDelayMs: 10000,
      multiplier: 2,
      jitter: 'full',
    });
    expect(config.concurrency).toBe(8);
  });

  it('accepts the example of DESIGN.md §3', () => {
    const config = parseConfig({
      targets: [
        { kind: 'stun', url: 'stun:127.0.0.1:3478' },
        { kind: 'turn', url: 'turn:127.0.0.1:3478?transport=udp', username: 'u', credential: 'p' },
        { kind: 'gun', url: 'http://127.0.0.1:8765/gun' },
        { kind: 'peerjs', url: 'http://127.0.0.1:9000/peerjs', key: 'peerjs' },
      ],
      timeouts: { stunMs: 3000, iceGatheringMs: 5000, offerMs: 5000, answerMs: 5000, connectMs: 10000 },
      retry: { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 10000, multiplier: 2, jitter: 'full' },
      concurrency: 8,
    });
    expect(config.targets).toHaveLength(4);
  });

  it.each([
    [
      'a bad URL',
      { targets: [{ kind: 'stun', url: 'http://nope' }] },
      'targets.0.url',
      /not a STUN\/TURN URL/,
    ],
    [
      'an unknown kind',
      { targets: [{ kind: 'sip', url: 'stun:x' }] },
      'targets.0.kind',
      /unknown target kind/,
    ],
    [
      'a port out of range',
      { targets: [{ kind: 'stun', url: 'stun:127.0.0.1:70000' }] },
      'targets.0.url',
      /out of range/,
    ],
    ['a gun URL that is not http', { targets: [{ kind: 'gun', url: 'stun:x:1' }] }, 'targets.0.url', /http/],
    [
      'a turn URL given as stun',
      { targets: [{ kind: 'stun', url: 'turn:x:1' }] },
      'targets.0.url',
      /expected a stun/,
    ],
    [
      'a negative timeout',
      { targets: [{ kind: 'stun', url: 'stun:x' }], timeouts: { stunMs: -1 } },
      'timeouts.stunMs',
      /./,
    ],
    [
      'an unknown field',
      { targets: [{ kind: 'stun', url: 'stun:x', colour: 'red' }] },
      'targets.0',
      /unknown field.*colour/,
    ],
    [
      'a turn: URL without username or credential (WebRTC refuses it)',
      { targets: [{ kind: 'turn', url: 'turn:127.0.0.1:3478' }] },
      'targets.0.username',
      /needs a username/,
    ],
    [
      'a turns: URL with a username but no credential',
      { targets: [{ kind: 'turn', url: 'turns:127.0.0.1:5349', username: 'u' }] },
      'targets.0.credential',
      /needs a credential/,
    ],
    [
      'a turn: URL with an empty credential',
      { targets: [{ kind: 'turn', url: 'turn:127.0.0.1:3478', username: 'u', credential: '' }] },
      'targets.0.credential',
      /needs a credential/,
    ],
    ['no targets', { targets: [] }, 'targets', /at least one/],
    ['a missing targets list', {}, 'targets', /./],
    [
      'a duplicate id',
      {
        targets: [
          { kind: 'stun', url: 'stun:a', id: 'x' },
          { kind: 'stun', url: 'stun:b', id: 'x' },
        ],
      },
      'targets.1.id',
      /already used/,
    ],
    [
      'maxDelay below base',
      { targets: [{ kind: 'stun', url: 'stun:a' }], retry: { baseDelayMs: 500, maxDelayMs: 100 } },
      'retry.maxDelayMs',
      />=/,
    ],
  ])('refuses %s, naming the field', (_name, input, field, message) => {
    const error = refusal(input);
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
    expect(error.message).toMatch(message);
  });

  it('refuses a file that is not JSON, and one that cannot be read, with typed errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-config-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{ "targets": [ ');
    expect(() => loadConfigFile(file)).toThrow(/not valid JSON/);
    expect(() => loadConfigFile(join(dir, 'missing.json'))).toThrow(TriageError);
  });

  it('parses the default public target list (never probes it)', () => {
    const config = loadConfigFile(defaultConfigPath());
    expect(config.targets.length).toBeGreaterThan(1);
    expect(config.targets.every((t) => t.kind === 'stun')).toBe(true);
  });

  it('gives targets stable, unique ids and layers', () => {
    const config = parseConfig({
      targets: [
        { kind: 'stun', url: 'stun:a:1' },
        { kind: 'stun', url: 'stun:a:1' },
        { kind: 'gun', url: 'http://127.0.0.1:1/gun' },
      ],
    });
    expect(resolveTargets(config).map((t) => [t.id, t.layer])).toEqual([
      ['stun:a:1', 'L2'],
      ['stun:a:1#2', 'L2'],
      ['gun:http://127.0.0.1:1/gun', 'L3'],
    ]);
    expect(resolveTargets(config, { lab: true }).every((t) => t.layer === 'L1')).toBe(true);
  });
});

describe('STUN/TURN URIs (RFC 7064/7065)', () => {
  it.each([
    ['stun:example.org', { scheme: 'stun', host: 'example.org', port: 3478, transport: 'udp' }],
    ['stuns:example.org', { scheme: 'stuns', host: 'example.org', port: 5349, transport: 'tls' }],
    [
      'turn:127.0.0.1:19302?transport=tcp',
      { scheme: 'turn', host: '127.0.0.1', port: 19302, transport: 'tcp' },
    ],
    [
      'turns:example.org?transport=tcp',
      { scheme: 'turns', host: 'example.org', port: 5349, transport: 'tls' },
    ],
    ['stun:[::1]:3478', { scheme: 'stun', host: '::1', port: 3478, transport: 'udp' }],
  ])('parses %s', (raw, expected) => {
    expect(parseIceServerUri(raw)).toEqual(expected);
  });

  it.each([
    'stun://example.org',
    'stun:',
    'turn:host:0',
    'turns:host?transport=udp',
    'stun:host:1:2',
    'stun:ho st',
  ])('refuses %s with a reason', (raw) => {
    expect(parseIceServerUri(raw)).toHaveProperty('error');
  });
});
