import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iceServersProblem } from '../../src/core/probes/webrtc/ice-server-check';
import { ROOT } from '../helpers/build';

describe('iceServersProblem: what libwebrtc would refuse, found before the native call', () => {
  it.each([
    [[{ urls: 'turn:127.0.0.1:3478' }], /turn:127\.0\.0\.1:3478 has no username/],
    [[{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: '' }], /has no credential/],
    [[{ urls: 'turns:127.0.0.1:5349', username: 'u' }], /has no credential/],
    [[{ urls: 'stun:' }], /is not a STUN\/TURN URL/],
    [[{ urls: 'stun:bad host' }], /is not a STUN\/TURN URL/],
    [[{ urls: 'stun:127.0.0.1:99999' }], /out of range/],
    [[{ urls: 'http://127.0.0.1/' }], /is not a STUN\/TURN URL/],
    [[{ urls: [] }], /no URL/],
    [[{ urls: ['stun:127.0.0.1:3478', 'turn:127.0.0.1'] }], /turn:127\.0\.0\.1 has no username/],
    ['stun:127.0.0.1', /must be a list/],
    [[null], /must be an object/],
  ])('refuses %j', (servers, message) => {
    expect(iceServersProblem(servers)).toMatch(message);
  });

  it.each([
    [undefined],
    [[]],
    [[{ urls: 'stun:127.0.0.1:3478' }, { urls: 'stun:[::1]:3478' }]],
    [[{ urls: ['turn:127.0.0.1:3478?transport=tcp', 'turns:127.0.0.1'], username: 'u', credential: 'p' }]],
  ])('takes %j', (servers) => {
    expect(iceServersProblem(servers)).toBeNull();
  });
});

describe('a process whose WebRTC configuration libwebrtc would refuse still exits by itself', () => {
  let dir: string;
  let entry: string;
  beforeAll(async () => {
    const cache = join(ROOT, 'node_modules', '.cache');
    mkdirSync(cache, { recursive: true });
    dir = mkdtempSync(join(cache, 'ice-guard-'));
    entry = join(dir, 'refused.cjs');
    await build({
      entryPoints: [join(ROOT, 'tests/fixtures/wrtc-refused-config.ts')],
      outfile: entry,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      packages: 'external',
      logLevel: 'warning',
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses with a classified failure of the stage and ends (the native refusal would keep it alive)', () => {
    // The bound only separates "ended" from "hangs forever"; it is no measure of speed.
    const child = spawnSync(process.execPath, [entry], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(child.signal, `killed after 30 s: ${child.stderr}`).toBeNull();
    expect(child.status).toBe(0);
    const refusal = JSON.parse(child.stdout.trim()) as Record<string, string>;
    expect(refusal).toMatchObject({ name: 'ProbeFailure', errorClass: 'internal', stage: 'ice' });
    expect(refusal.message).toMatch(
      /WebRTC would refuse this ICE server: the TURN server .* has no username/,
    );
  });

  it('the control: the same configuration given to libwebrtc directly leaves the process alive', () => {
    const script = `const w = require('@roamhq/wrtc'); try { new w.RTCPeerConnection({ iceServers: [{ urls: 'turn:127.0.0.1:3478' }] }); } catch (e) { console.log(e.message); }`;
    const child = spawnSync(process.execPath, ['-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 5_000,
    });
    expect(child.stdout).toMatch(/ICE server parse failed/);
    expect(child.signal).toBe('SIGTERM');
  });
});
