/**
 * Where an address or host name can be reached from, by its form alone (no lookup): the one
 * classification bundles (what to redact), partner sessions (same network?) and the partner
 * screen's reach warning read.
 * loopback: this machine only; private: RFC 1918, CGNAT, link-local, unique-local (the user's own
 * network); mdns: a `….local` name only the same link resolves; public: any other address; name: a
 * DNS name, which may be either.
 */
export type AddressScope = 'loopback' | 'private' | 'mdns' | 'public' | 'name';

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function addressScope(host: string): AddressScope {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (IPV4.test(bare)) {
    const [a = 0, b = 0] = bare.split('.').map(Number);
    if (a === 127) return 'loopback';
    const isPrivate =
      a === 10 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254) ||
      (a === 100 && b >= 64 && b <= 127);
    return isPrivate ? 'private' : 'public';
  }
  if (bare.includes(':') && /^[0-9a-f:.]+$/.test(bare)) {
    if (bare.startsWith('::ffff:') && IPV4.test(bare.slice(7))) return addressScope(bare.slice(7));
    if (bare === '::1') return 'loopback';
    return /^fe[89ab]/.test(bare) || /^f[cd]/.test(bare) ? 'private' : 'public';
  }
  if (bare === 'localhost' || bare.endsWith('.localhost')) return 'loopback';
  if (bare.endsWith('.local')) return 'mdns';
  return 'name';
}

/** Reachable only from this machine or its own network (loopback, private, mDNS). */
export function isLocalOnly(host: string): boolean {
  const scope = addressScope(host);
  return scope === 'loopback' || scope === 'private' || scope === 'mdns';
}
