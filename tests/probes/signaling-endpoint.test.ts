/**
 * Issue 20: the signaling probes (GUN, PeerJS, signaled sessions, the partner transports) connect to
 * URLs built from the target's parsed form (contract/target-url.ts), not from a parse of their own;
 * the userinfo and query, which the parsed form holds no value of, come from the URL as configured.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/core/config/load';
import { TargetUrlError, resolveTargets } from '../../src/core/config/targets';
import { signalingEndpoint } from '../../src/core/probes/signaling/endpoint';
import { peerJsEndpoints } from '../../src/core/probes/signaling/peerjs-wire';

const targets = (...list: unknown[]) => resolveTargets(parseConfig({ targets: list }));
const signaling = (target: unknown) => {
  const [one] = targets(target);
  if (!one || (one.kind !== 'gun' && one.kind !== 'peerjs')) throw new Error('a signaling target');
  return one;
};

describe('signaling endpoints from the parsed target', () => {
  it('a GUN relay: ws(s) for http(s), the configured userinfo and token kept', () => {
    const relay = signaling({
      kind: 'gun',
      url: 'https://user:hunter2@relay.example/gun?access_token=t0k3n',
    });
    expect(relay.url).not.toContain('hunter2');
    expect(signalingEndpoint(relay, { protocol: 'websocket' }).toString()).toBe(
      'wss://user:hunter2@relay.example/gun?access_token=t0k3n',
    );
    expect(
      signalingEndpoint(signaling({ kind: 'gun', url: 'ws://127.0.0.1:8765/gun' }), {
        protocol: 'websocket',
      }).toString(),
    ).toBe('ws://127.0.0.1:8765/gun');
  });

  it('reads host, port and path from target.parsed', () => {
    const relay = signaling({ kind: 'gun', url: 'http://[::1]:8765/gun' });
    expect(signalingEndpoint(relay, { protocol: 'websocket' }).toString()).toBe('ws://[::1]:8765/gun');
    const moved = { ...relay, parsed: { ...relay.parsed, port: 9999, path: '/other' } };
    expect(signalingEndpoint(moved, { protocol: 'websocket' }).toString()).toBe('ws://[::1]:9999/other');
  });

  it('a PeerJS server: the id over http(s) and the socket over ws(s), under its path, with the key', () => {
    const server = signaling({ kind: 'peerjs', url: 'wss://peer.example/app?x=1', key: 'k y' });
    const endpoints = peerJsEndpoints(server, 'k y');
    expect(endpoints.id.origin).toBe('https://peer.example');
    expect(endpoints.id.pathname).toBe('/app/k%20y/id');
    expect(endpoints.id.searchParams.has('x')).toBe(false);
    const socket = endpoints.socket('id1', 'tok');
    expect(`${socket.origin}${socket.pathname}`).toBe('wss://peer.example/app/peerjs');
    expect(Object.fromEntries(socket.searchParams)).toEqual({ key: 'k y', id: 'id1', token: 'tok' });
  });

  it('a bad signaling URL never reaches a probe: one typed, plain error naming the target', () => {
    const config = parseConfig({ targets: [{ kind: 'gun', url: 'https://relay.example/gun' }] });
    const bad = {
      ...config,
      targets: [{ kind: 'gun', id: 'relay', url: 'ftp://relay.example/gun' }],
    } as typeof config;
    expect(() => resolveTargets(bad)).toThrow(TargetUrlError);
    expect(() => resolveTargets(bad)).toThrow(
      'target "relay": the URL must start with http(s):// or ws(s)://, not ftp:',
    );
  });
});
