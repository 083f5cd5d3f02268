import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLE_FILES } from '../../src/contract';
import { compareBundles, exportBundle, openBundle } from '../../src/core/bundle';
import { readZipEntries } from '../../src/core/bundle/safe-zip';
import { WindowRows } from '../../src/core/bundle/collect';
import { HistoryStore } from '../../src/core/store/history';
import {
  CONFIG,
  MACHINE,
  PUBLIC_SERVER_IP,
  SECRET_ADDRESSES,
  TURN_CREDENTIAL,
  TURN_USER,
  buildHistory,
  tempDir,
} from './fixture';

const dir = tempDir();
const { dbPath } = buildHistory(dir);
const since = new Date(Date.now() - 24 * 3_600_000);

async function exportTo(name: string, redact: boolean, config: typeof CONFIG | null = CONFIG) {
  const store = HistoryStore.open(dbPath, { retentionDays: 0 });
  try {
    return await exportBundle({
      store,
      since,
      redact,
      out: join(dir, name),
      config,
      machine: MACHINE,
      appVersion: '9.9.9-test',
      environment: {
        interfaces: {
          lo: [
            {
              address: '127.0.0.1',
              netmask: '255.0.0.0',
              family: 'IPv4',
              mac: '00:00:00:00:00:00',
              internal: true,
              cidr: '127.0.0.1/8',
            },
          ],
          eth0: [
            {
              address: SECRET_ADDRESSES.hostV4,
              netmask: '255.255.255.0',
              family: 'IPv4',
              mac: '02:42:ac:11:00:02',
              internal: false,
              cidr: `${SECRET_ADDRESSES.hostV4}/24`,
            },
          ],
          wg0: [
            {
              address: SECRET_ADDRESSES.hostV6,
              netmask: 'ffff:ffff::',
              family: 'IPv6',
              mac: '00:00:00:00:00:00',
              internal: false,
              cidr: `${SECRET_ADDRESSES.hostV6}/64`,
              scopeid: 0,
            },
          ],
        },
        env: {
          HTTPS_PROXY: `http://${TURN_USER}:pw@proxy.corp.example:3128`,
          NO_PROXY: `localhost,${SECRET_ADDRESSES.prflxV4}`,
        },
      },
    });
  } finally {
    store.close();
  }
}

/** Every entry of the zip, decompressed. */
async function allBytes(file: string): Promise<string> {
  const entries = await readZipEntries(file, new Set(Object.values(BUNDLE_FILES)));
  return [...entries.values()].map((b) => b.toString('utf8')).join('\n');
}

afterAll(() => {
  // Nothing but what the tests wrote themselves sits in the folder.
  expect(readdirSync(dir).filter((f) => f.includes('.partial'))).toEqual([]);
});

describe('export → inspect', () => {
  it('round-trips runs, targets, attempts and events unchanged when not redacted', async () => {
    // Without a config there are no secrets to scrub, so every row must come back byte for byte.
    const { file, manifest } = await exportTo('plain.zip', false, null);
    const bundle = await openBundle(file);
    const store = HistoryStore.open(dbPath, { retentionDays: 0 });
    try {
      const rows = new WindowRows(store.database, since.getTime());
      expect(bundle.runs).toEqual([...rows.runs()]);
      expect(bundle.targets).toEqual([...rows.targets()]);
      expect(bundle.attempts).toEqual([...rows.attempts()]);
      // Secrets go even with --no-redact: a `credential` field and the SDP's a=ice-pwd.
      const scrubbed = [...rows.events()].map((e) => {
        if (!e.data || !('credential' in e.data)) return e;
        const sdp = String(e.data.sdp).replace(/a=ice-pwd:\S+/, 'a=ice-pwd:[secret]');
        return { ...e, data: { ...e.data, credential: '[secret]', sdp } };
      });
      expect(bundle.events).toEqual(scrubbed);
      expect(bundle.attempts.map(({ runId: _r, ...a }) => a)).toEqual(store.attemptsSince(since));
    } finally {
      store.close();
    }
    expect(bundle.manifest).toEqual(manifest);
    expect(manifest.redacted).toBe(false);
    expect(manifest.counts).toEqual({ runs: 1, targets: 3, attempts: 3, events: 6, calls: 0 });
    expect(manifest.runtime.node).toBe(process.versions.node);
    expect(manifest.runtime.wrtc).toMatch(/^\d+\.\d+/);
    expect(bundle.verdict.lastReport?.verdict.kind).toBe('partial-outage');
    expect(bundle.patterns.lastReport).toHaveLength(1);
    expect(bundle.environment.vpnHints).toEqual(['wg0']);
    expect(bundle.config).toEqual({ present: false, targets: [] });
  });

  it('--no-redact keeps addresses and machine names, but never the TURN secrets', async () => {
    const { file } = await exportTo('no-redact.zip', false);
    const text = await allBytes(file);
    for (const address of Object.values(SECRET_ADDRESSES)) expect(text).toContain(address);
    expect(text).toContain(MACHINE.hostname);
    expect(text).toContain(MACHINE.username);
    expect(text).not.toContain(TURN_CREDENTIAL);
    expect(text).not.toContain(TURN_USER);
    expect((await openBundle(file)).manifest.redacted).toBe(false);
  });

  it('a redacted bundle holds no address, credential or machine name, anywhere', async () => {
    const { file, manifest } = await exportTo('redacted.zip', true);
    expect(manifest.redacted).toBe(true);
    const text = await allBytes(file);
    const forbidden = [
      ...Object.values(SECRET_ADDRESSES),
      TURN_USER,
      TURN_CREDENTIAL,
      MACHINE.hostname,
      MACHINE.username,
      'abcdefghijklmnopqrstuvwx', // a=ice-pwd
      'proxy.corp.example',
      '02:42:ac:11:00:02', // a MAC address
    ];
    for (const secret of forbidden) expect(text.toLowerCase(), secret).not.toContain(secret.toLowerCase());
    // No IPv4 survives except the configured public server and loopback.
    const v4 = [...text.matchAll(/\b\d{1,3}(?:\.\d{1,3}){3}\b/g)].map((m) => m[0]);
    expect(new Set(v4.filter((ip) => ip !== PUBLIC_SERVER_IP))).toEqual(new Set());
    // The configured server's URL is kept so bundles from several users can be compared.
    expect(text).toContain(`stun:${PUBLIC_SERVER_IP}:3478`);
    expect(text).toContain('turn:turn.example.org:3478?transport=udp');
  });

  it('maps one address to one token across files, and different addresses to different tokens', async () => {
    const { file } = await exportTo('tokens.zip', true);
    const bundle = await openBundle(file);
    const stun = bundle.attempts.find((a) => a.probe === 'stun-binding');
    const mapped = String(stun?.metrics.mappedAddress);
    expect(mapped).toMatch(/^ip-[0-9a-f]{6,}:61000$/);
    const srflxToken = mapped.split(':')[0] as string;
    const candidate = String(bundle.events.find((e) => e.name === 'ice.candidate')?.data?.candidate);
    const [, srflxInEvent, hostInEvent] =
      /udp \d+ (\S+) 61000 typ srflx raddr (\S+) rport/.exec(candidate) ?? [];
    expect(srflxInEvent).toBe(srflxToken);
    expect(hostInEvent).toMatch(/^ip-[0-9a-f]{6,}$/);
    expect(hostInEvent).not.toBe(srflxToken);
    // The same private address in an error message (attempts), the SDP (events) and the interfaces (environment).
    const turn = bundle.attempts.find((a) => a.probe === 'turn-allocation');
    expect(turn?.errorMessage).toContain(hostInEvent);
    expect(turn?.errorMessage).toContain('[machine]');
    expect(bundle.environment.interfaces.find((i) => i.name === 'eth0')?.address).toBe(hostInEvent);
    expect(bundle.verdict.lastReport?.verdict.message).toContain(hostInEvent);
    const v6 = String(stun?.metrics.localAddress);
    expect(v6).toMatch(/^\[ip6-[0-9a-f]{6,}\]:54322$/);
    const sdp = String(bundle.events.find((e) => e.name === 'signal.offer.sent')?.data?.sdp);
    expect(sdp).toContain(`a=candidate:2 1 udp 2122262783 ${v6.slice(1, v6.indexOf(']'))} 54322 typ host`);
    expect(sdp).toContain(`c=IN IP4 ${srflxToken}`);
    // Config: secrets gone, fields named.
    expect(bundle.config.targets.find((t) => t.id === 'turn-a')?.secretsRemoved).toEqual([
      'username',
      'credential',
    ]);
    expect(bundle.config.targets.find((t) => t.id === 'peerjs-a')?.key).toBe('peerjs');
  });

  it('compares the same servers seen from several bundles', async () => {
    const a = await openBundle((await exportTo('user-a.zip', true)).file);
    const b = await openBundle((await exportTo('user-b.zip', true)).file);
    // User b's network: TURN works there.
    b.verdict.lastReport = b.verdict.lastReport && {
      ...b.verdict.lastReport,
      targets: b.verdict.lastReport.targets.map((t) => ({ ...t, status: 'up' as const })),
    };
    const comparison = compareBundles([
      { name: 'user-a.zip', bundle: a },
      { name: 'user-b.zip', bundle: b },
    ]);
    const turn = comparison.servers.find((s) => s.url.startsWith('turn:turn.example.org'));
    expect(turn?.views.map((v) => [v.bundle, v.status])).toEqual([
      ['user-a.zip', 'down'],
      ['user-b.zip', 'up'],
    ]);
    expect(turn?.summary).toBe('some-networks');
    const stun = comparison.servers.find((s) => s.url === `stun:${PUBLIC_SERVER_IP}:3478`);
    expect(stun?.summary).toBe('everywhere-up');
    expect(comparison.servers.find((s) => s.url.startsWith('https://peerjs'))?.views[0]?.status).toBe(
      'untested',
    );
  });
});
