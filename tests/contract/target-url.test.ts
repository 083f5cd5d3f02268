import { describe, expect, it } from 'vitest';
import { hostOfUrl, parseTargetUrl, type Config } from '../../src/contract';
import { parseConfig } from '../../src/core/config/load';
import { TargetUrlError, resolveTargets } from '../../src/core/config/targets';
import { TriageError } from '../../src/core/errors';

describe('the target parser (contract/target-url.ts)', () => {
  it('parses STUN and TURN targets into scheme, host, port, transport, family and where the secret is', () => {
    expect(parseTargetUrl({ kind: 'stun', url: 'stun:[::1]:3478' })).toEqual({
      kind: 'stun',
      scheme: 'stun',
      host: '::1',
      port: 3478,
      transport: 'udp',
      family: 6,
      secure: false,
      path: null,
      credentials: null,
      transports: null,
    });
    expect(
      parseTargetUrl({
        kind: 'turn',
        url: 'turns:turn.example',
        username: 'u',
        credential: 'c',
        transports: ['udp', 'tls:443'],
      }),
    ).toMatchObject({
      scheme: 'turns',
      host: 'turn.example',
      port: 5349,
      transport: 'tls',
      family: null,
      secure: true,
      credentials: 'turn-credentials',
      transports: [
        { transport: 'udp', port: 3478 },
        { transport: 'tls', port: 443 },
      ],
    });
  });

  it('parses signaling targets, with the default port of the scheme and the path', () => {
    expect(parseTargetUrl({ kind: 'gun', url: 'wss://relay.example/gun' })).toEqual({
      kind: 'gun',
      scheme: 'wss',
      host: 'relay.example',
      port: 443,
      transport: 'tls',
      family: null,
      secure: true,
      path: '/gun',
      credentials: null,
      transports: null,
    });
    expect(parseTargetUrl({ kind: 'peerjs', url: 'http://127.0.0.1:9000/', key: 'mine' })).toMatchObject({
      port: 9000,
      family: 4,
      secure: false,
      credentials: 'peerjs-key',
    });
    expect(parseTargetUrl({ kind: 'gun', url: 'https://u:pw@relay.example/gun' })).toMatchObject({
      credentials: 'url',
    });
  });

  it('says what is wrong with a bad URL', () => {
    expect(parseTargetUrl({ kind: 'stun', url: 'turn:host' })).toEqual({
      error: 'a stun target needs a stun:/stuns: URL, got turn:',
    });
    expect(parseTargetUrl({ kind: 'gun', url: 'ftp://host/' })).toEqual({
      error: 'the URL must start with http(s):// or ws(s)://, not ftp:',
    });
    expect(parseTargetUrl({ kind: 'stun', url: 'stun:host:99999' })).toEqual({
      error: 'port 99999 is out of range (1-65535)',
    });
  });

  it('is run once, by resolveTargets: every configured target carries its parsed URL', () => {
    const config = parseConfig({
      targets: [
        { kind: 'stun', url: 'stun:127.0.0.1:3478?transport=tcp' },
        { kind: 'peerjs', id: 'pj', url: 'https://user:hunter2@peer.example/app' },
      ],
    });
    const [stun, peerjs] = resolveTargets(config);
    expect(stun?.parsed).toMatchObject({ host: '127.0.0.1', transport: 'tcp', family: 4 });
    // the shown URL is public; the parsed form keeps no secret either, only where it is
    expect(peerjs?.url).not.toContain('hunter2');
    expect(JSON.stringify(peerjs?.parsed)).not.toContain('hunter2');
    expect(peerjs?.parsed).toMatchObject({ host: 'peer.example', path: '/app', credentials: 'url' });
  });

  it('a target that gets past the schema with a bad URL is one typed error naming the target and the field', () => {
    const unchecked = {
      ...parseConfig({ targets: [{ kind: 'stun', url: 'stun:127.0.0.1' }] }),
      targets: [
        { kind: 'stun', url: 'stun:127.0.0.1' },
        {
          kind: 'turn',
          id: 'office-turn',
          url: 'turn:turn.example?transport=sctp',
          username: 'u',
          credential: 'c',
        },
      ],
    } as Config;
    let thrown: unknown;
    try {
      resolveTargets(unchecked);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TargetUrlError);
    expect(thrown).toBeInstanceOf(TriageError);
    expect(thrown).toMatchObject({ code: 'CONFIG_INVALID', field: 'targets.1.url', targetId: 'office-turn' });
    expect((thrown as Error).message).toMatch(
      /^target "office-turn": "turn:turn.example\?transport=sctp" is not a STUN\/TURN URL/,
    );
  });

  it('hostOfUrl reads stored and dumped URLs with the same parsers', () => {
    expect(hostOfUrl('turn:[2001:db8::1]:3478?transport=tcp')).toBe('2001:db8::1');
    expect(hostOfUrl('https://relay.example:8765/gun')).toBe('relay.example');
    expect(hostOfUrl('local:machine')).toBeNull();
  });
});
