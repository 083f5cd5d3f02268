import { describe, expect, it } from 'vitest';
import { addressScope, isLocalOnly } from './address-scope';
import { partnerReach } from './reach';

describe('where a host can be reached from, by its form alone', () => {
  it('tells loopback, private, mDNS, public and names apart', () => {
    expect(addressScope('127.0.0.1')).toBe('loopback');
    expect(addressScope('::1')).toBe('loopback');
    expect(addressScope('[::1]')).toBe('loopback');
    expect(addressScope('localhost')).toBe('loopback');
    for (const host of ['10.1.2.3', '172.16.0.1', '172.31.255.1', '192.168.1.9', '169.254.1.1', '100.64.0.1'])
      expect(addressScope(host), host).toBe('private');
    expect(addressScope('fd00::1')).toBe('private');
    expect(addressScope('fe80::1')).toBe('private');
    expect(addressScope('::ffff:10.0.0.1')).toBe('private');
    expect(addressScope('host-1.local')).toBe('mdns');
    for (const host of ['198.51.100.7', '172.32.0.1', '100.128.0.1', '2001:db8::7'])
      expect(addressScope(host), host).toBe('public');
    expect(addressScope('turn.example.com')).toBe('name');
    expect(addressScope('256.1.1.1')).toBe('name');
    expect(isLocalOnly('192.168.0.1')).toBe(true);
    expect(isLocalOnly('turn.example.com')).toBe(false);
  });
});

describe('whether a remote partner can use the configured servers', () => {
  it('says nothing when every signaling and TURN server can be reached from elsewhere', () => {
    const reach = partnerReach([
      { kind: 'gun', url: 'https://relay.example.com/gun' },
      { kind: 'turn', url: 'turns:turn.example.com:443' },
      { kind: 'stun', url: 'stun:127.0.0.1:3478' },
    ]);
    expect(reach).toEqual({ localOnly: [], pairingBlocked: false, relayBlocked: false, sentences: [] });
  });

  it('blocks pairing when every signaling server is loopback or private, and says what a partner needs', () => {
    const reach = partnerReach([
      { kind: 'gun', url: 'http://127.0.0.1:8765/gun' },
      { kind: 'peerjs', url: 'http://192.168.1.20:9000/' },
      { kind: 'turn', url: 'turn:198.51.100.7:3478' },
    ]);
    expect(reach.pairingBlocked).toBe(true);
    expect(reach.relayBlocked).toBe(false);
    expect(reach.localOnly.map((s) => [s.role, s.scope])).toEqual([
      ['signaling', 'loopback'],
      ['signaling', 'private'],
    ]);
    expect(reach.sentences).toHaveLength(1);
    expect(reach.sentences[0]).toContain('can never pair with you');
    expect(reach.sentences[0]).toContain('http://192.168.1.20:9000/ (this network only)');
    expect(reach.sentences[0]).toContain('GUN relay or PeerJS server both of you can reach');
  });

  it('names a local-only server beside reachable ones without blocking, and hides URL secrets', () => {
    const reach = partnerReach([
      { kind: 'gun', url: 'https://relay.example.com/gun' },
      { kind: 'gun', url: 'http://127.0.0.1:8765/gun?token=s3cret' },
      { kind: 'turn', url: 'turn:[::1]:3478' },
    ]);
    expect(reach.pairingBlocked).toBe(false);
    expect(reach.relayBlocked).toBe(true);
    expect(reach.sentences.join(' ')).not.toContain('s3cret');
    expect(reach.sentences[0]).toContain('pairing goes through the other signaling servers');
    expect(reach.sentences[1]).toContain('The relayed session cannot cross networks');
  });
});
