/**
 * The lab's own plumbing: a topology is wired as drawn, and everything it made is gone afterwards —
 * after destroy, after a build that failed half-way, and after a run that died (stale namespaces).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LAN, LAN6, NAMES, PUB, PUB6, WAN, WAN6 } from './addresses';
import { labSupport } from './support';
import { removeStaleNamespaces, ROLES, Topology } from './topology';

const support = labSupport();
if (!support.ok) console.warn(`SKIPPED: network lab topology tests: ${support.reason}`);

const namespaces = () =>
  (spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '')
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter(Boolean);

describe.skipIf(!support.ok)('network lab topology', () => {
  it('wires pub, two NATs and two LANs as drawn, and removes all of it on destroy', async () => {
    const topology = Topology.build('unit');
    try {
      expect(topology.leftovers().sort()).toEqual(
        [
          ...Object.values(topology.ns),
          `/etc/netns/${topology.ns.lanA}`,
          `/etc/netns/${topology.ns.lanB}`,
        ].sort(),
      );
      expect(topology.run('lanA', ['ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0'])).toContain(LAN.A.tester);
      expect(topology.run('lanB', ['ip', 'route', 'show', 'default'])).toContain(`via ${LAN.B.router}`);
      expect(topology.run('natA', ['ip', 'route', 'show', 'default'])).toContain(`via ${WAN.A.pub}`);
      expect(topology.run('pub', ['ip', '-o', '-4', 'addr', 'show', 'dev', 'lo'])).toContain(PUB.turn);
      expect(topology.run('natA', ['nft', 'list', 'ruleset'])).toMatch(/oifname "wan" masquerade/);
      expect(topology.run('natA', ['cat', '/proc/sys/net/ipv4/ip_forward']).trim()).toBe('1');
      expect(topology.run('lanA', ['cat', '/proc/sys/net/ipv4/ip_forward']).trim()).toBe('0');
      // dual stack: IPv6 everywhere, routed and translated (NAT66) like IPv4
      expect(topology.run('lanA', ['ip', '-o', '-6', 'addr', 'show', 'dev', 'eth0'])).toContain(
        LAN6.A.tester,
      );
      expect(topology.run('lanB', ['ip', '-6', 'route', 'show', 'default'])).toContain(
        `via ${LAN6.B.router}`,
      );
      expect(topology.run('natA', ['ip', '-6', 'route', 'show', 'default'])).toContain(`via ${WAN6.A.pub}`);
      expect(topology.run('pub', ['ip', '-o', '-6', 'addr', 'show', 'dev', 'lo'])).toContain(PUB6.turn);
      expect(topology.run('natA', ['nft', 'list', 'table', 'ip6', 'nat'])).toMatch(
        /oifname "wan" masquerade/,
      );
      expect(topology.run('natA', ['cat', '/proc/sys/net/ipv6/conf/all/forwarding']).trim()).toBe('1');
      expect(topology.run('lanA', ['cat', '/proc/sys/net/ipv6/conf/all/forwarding']).trim()).toBe('0');
      // the testers resolve the lab's names to both families, from their own /etc/hosts, asking no one else
      for (const role of ['lanA', 'lanB'] as const) {
        const hosts = topology.run(role, ['getent', 'ahosts', NAMES.turn]);
        expect(hosts).toContain(PUB.turn);
        expect(hosts).toContain(PUB6.turn);
        expect(topology.run(role, ['cat', '/etc/resolv.conf'])).toMatch(/^nameserver 127\.0\.0\.1$/m);
      }
      expect(readFileSync('/etc/hosts', 'utf8')).not.toContain(NAMES.turn);
      const etc = [`/etc/netns/${topology.ns.lanA}`, `/etc/netns/${topology.ns.lanB}`];
      expect(etc.every((dir) => existsSync(dir))).toBe(true);
      // the testers see only their own LAN link: nothing of the host, nothing of the caller's namespace
      for (const role of ['lanA', 'lanB'] as const) {
        const links = topology.run(role, ['ip', '-o', 'link', 'show']);
        expect(
          links
            .split('\n')
            .filter(Boolean)
            .map((l) => l.split(':')[1]?.trim().split('@')[0]),
        ).toEqual(['lo', 'eth0']);
      }
      // a process started in a namespace is ended by destroy
      const sleeper = topology.spawn('pub', ['sleep', '600']);
      const ended = new Promise((resolve) => sleeper.once('exit', resolve));
      await topology.destroy();
      await ended;
      expect(etc.filter((dir) => existsSync(dir))).toEqual([]);
    } finally {
      await topology.destroy();
    }
    expect(topology.leftovers()).toEqual([]);
  });

  it('reaches pub from a LAN over IPv6 through NAT66: pub sees the router, not the tester', async () => {
    const topology = Topology.build('unit6');
    try {
      const server = topology.spawn('pub', [
        process.execPath,
        '-e',
        `require('net').createServer((s) => s.end(s.remoteAddress)).listen(7000, '${PUB6.turn}', () => console.log('up'))`,
      ]);
      await new Promise((resolve) => server.stdout?.once('data', resolve));
      const client = `const s = require('net').connect(7000, '${NAMES.turn}'); s.setTimeout(10000, () => process.exit(1)); s.pipe(process.stdout)`;
      // glibc sorts the name's AAAA first (RFC 6724), so a dual-stack client goes over IPv6
      expect(topology.run('lanA', [process.execPath, '-e', client])).toBe(WAN6.A.nat);
    } finally {
      await topology.destroy();
    }
    expect(topology.leftovers()).toEqual([]);
  });

  it('uses random-fully MASQUERADE on natA for the symmetric-NAT variant', async () => {
    const topology = Topology.build('unitsym', { nat: 'random-fully' });
    try {
      expect(topology.run('natA', ['nft', 'list', 'table', 'ip', 'nat'])).toMatch(/masquerade fully-random/);
      expect(topology.run('natA', ['nft', 'list', 'table', 'ip6', 'nat'])).toMatch(/masquerade fully-random/);
      expect(topology.run('natB', ['nft', 'list', 'ruleset'])).not.toMatch(/fully-random/);
    } finally {
      await topology.destroy();
    }
    expect(topology.leftovers()).toEqual([]);
  });

  it('gives both routers a home firewall (nothing new in from the WAN) only when asked', async () => {
    const plain = Topology.build('unitopen');
    const guarded = Topology.build('unitfw', { dropUnsolicited: true });
    try {
      for (const role of ['natA', 'natB'] as const) {
        expect(plain.run(role, ['nft', 'list', 'ruleset'])).not.toMatch(/ct state new drop/);
        const rules = guarded.run(role, ['nft', 'list', 'ruleset']);
        expect(rules).toMatch(/hook input[^}]*iifname "wan" ct state new drop/s);
        expect(rules).toMatch(/hook forward[^}]*iifname "wan" ct state new drop/s);
      }
      // replies still come back through it: lanA opens a TCP connection to pub and reads its answer
      const server = guarded.spawn('pub', [
        process.execPath,
        '-e',
        `require('net').createServer((s) => s.end('hello')).listen(7000, '${PUB.turn}', () => console.log('up'))`,
      ]);
      await new Promise((resolve) => server.stdout?.once('data', resolve));
      const client = `const s = require('net').connect(7000, '${PUB.turn}'); s.setTimeout(10000, () => process.exit(1)); s.pipe(process.stdout)`;
      expect(guarded.run('lanA', [process.execPath, '-e', client])).toBe('hello');
    } finally {
      await plain.destroy();
      await guarded.destroy();
    }
    expect([...plain.leftovers(), ...guarded.leftovers()]).toEqual([]);
  });

  it('removes what it made when the build fails half-way', () => {
    // the last namespace already exists, so the build fails after making the first four
    const blocker = `rtl${process.pid}-unitfail-lanB`;
    spawnSync('ip', ['netns', 'add', blocker]);
    try {
      expect(() => Topology.build('unitfail')).toThrow();
      expect(namespaces().filter((ns) => ns.startsWith(`rtl${process.pid}-unitfail-`))).toEqual([]);
    } finally {
      spawnSync('ip', ['netns', 'del', blocker]);
    }
  });

  it('removes the namespaces of a run that died, and only those', () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    const deadPid = Number(dead.stdout);
    const stale = ROLES.map((role) => `rtl${deadPid}-old-${role}`);
    const mine = `rtl${process.pid}-unitlive-pub`;
    for (const ns of [...stale, mine]) spawnSync('ip', ['netns', 'add', ns]);
    // a dead run's /etc/netns folder outlives its namespace when the namespace went first
    const orphan = `/etc/netns/rtl${deadPid}-gone-lanA`;
    mkdirSync(orphan, { recursive: true });
    writeFileSync(`${orphan}/hosts`, '');
    try {
      const removed = removeStaleNamespaces();
      expect(removed.sort()).toEqual(expect.arrayContaining([...stale, `rtl${deadPid}-gone-lanA`].sort()));
      expect(removed).not.toContain(mine);
      expect(namespaces()).toContain(mine);
      for (const ns of stale) expect(namespaces()).not.toContain(ns);
      expect(existsSync(orphan)).toBe(false);
    } finally {
      for (const ns of [...stale, mine]) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      rmSync(orphan, { recursive: true, force: true });
    }
  });

  it('refuses a tag this process already used', () => {
    expect(() => Topology.build('unit')).toThrow(/already used/);
  });
});
