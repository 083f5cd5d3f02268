/**
 * Issue 20: a partner test between two real engine processes (dist/engine.cjs, as `serve` and the
 * desktop app run them), each with its peer hosts, meeting through the embedded lab's GUN relay or
 * PeerJS server on loopback, with coturn for the relay session. The engines keep the signaling; every
 * RTCPeerConnection is opened in a peer host — libwebrtc is never mapped into an engine process. A
 * peer host SIGKILLed mid-session fails that session, typed, and only it: the engine goes on, the next
 * session runs on a replaced host, nothing leaks and no process is left behind.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PartnerStateSchema, type PartnerState, type TriageEvent } from '../../src/contract';
import { EngineSupervisor, forkEngine } from '../../src/core/engine/supervisor';
import { startLab, type Lab } from '../../src/lab';
import { PEER_HOST, ROOT } from '../helpers/build';
import { hasCoturn, startCoturn, type Coturn } from '../helpers/coturn';
import { skipUnlessIsolated } from '../helpers/isolation';
import { alive, childrenOf, waitUntil, zombie } from '../isolation/processes';

const ENGINE = join(ROOT, 'dist', 'engine.cjs');
const skip = skipUnlessIsolated('the partner tests between two engines') || !hasCoturn || !existsSync(ENGINE);

const gone = (pid: number) => !alive(pid) || zombie(pid);
/** Whether libwebrtc's native module is mapped into the process. */
const mapsWrtc = (pid: number) => readFileSync(`/proc/${pid}/maps`, 'utf8').includes('wrtc.node');

describe.skipIf(skip)('a partner test between two engine processes, WebRTC in their peer hosts', () => {
  let lab: Lab;
  let coturn: Coturn;
  let dir: string;
  const engines: EngineSupervisor[] = [];
  const events = new Map<EngineSupervisor, TriageEvent[]>();

  async function engine(name: string, kinds: string[]): Promise<EngineSupervisor> {
    const file = join(dir, `${name}.json`);
    const stunUdp = lab.config.targets.filter((t) => t.kind === 'stun' && !t.url.includes('transport=tcp'));
    const signaling = lab.config.targets.filter((t) => kinds.includes(t.kind));
    const turn = {
      kind: 'turn' as const,
      id: 'coturn',
      url: `turn:127.0.0.1:${coturn.port}?transport=udp`,
      username: coturn.user,
      credential: coturn.password,
    };
    // short liveness: a vanished partner is noticed after max(6 s, 2 x answerMs)
    writeFileSync(
      file,
      JSON.stringify({ targets: [...stunUdp, ...signaling, turn], timeouts: { answerMs: 2000 } }),
    );
    const made = new EngineSupervisor({
      spawn: forkEngine(ENGINE),
      options: {
        face: 'serve',
        version: 'test',
        dbPath: join(dir, `${name}.db`),
        configPath: file,
        peerHosts: { entry: PEER_HOST },
      },
    });
    const seen: TriageEvent[] = [];
    events.set(made, seen);
    made.onEvent((event) => seen.push(event));
    engines.push(made);
    await made.start();
    await waitUntil(`${name}'s peer hosts`, () => childrenOf(made.pid ?? 0).length >= 2);
    return made;
  }

  async function finished(engine: EngineSupervisor): Promise<PartnerState> {
    for (let i = 0; i < 900; i++) {
      const status = await engine.call('partnerStatus', {});
      const state = PartnerStateSchema.parse(status.ok ? status.value : null);
      if (!state.active && state.phase === 'finished') return state;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the partner test did not finish');
  }

  /** The host engine shows a code, the joiner engine enters it; both results. */
  async function pair(host: EngineSupervisor, joiner: EngineSupervisor) {
    const hosted = await host.call('partnerHost', {});
    const waiting = PartnerStateSchema.parse(hosted.ok ? hosted.value : null);
    expect(waiting.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(await joiner.call('partnerJoin', { code: waiting.code })).toMatchObject({ ok: true });
    const [h, j] = await Promise.all([finished(host), finished(joiner)]);
    return { host: h.result, joiner: j.result };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rtc-triage-partner-engines-'));
    lab = await startLab();
    coturn = await startCoturn();
  }, 60_000);

  afterAll(async () => {
    for (const made of engines) await made.close();
    await coturn?.stop();
    await lab?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('pairs through the GUN relay and runs every session in the peer hosts: none in the engines', async () => {
    const a = await engine('gun-a', ['gun']);
    const b = await engine('gun-b', ['gun']);
    const { host, joiner } = await pair(a, b);

    expect(host?.status).toBe('completed');
    expect(joiner?.status).toBe('completed');
    expect(host?.pairedVia?.kind).toBe('gun');
    expect(joiner?.paths).toEqual(host?.paths);
    const ran = host?.paths.filter((p) => p.outcome !== 'skipped') ?? [];
    expect(ran.map((p) => p.path)).toEqual(['host', 'relay']);
    expect(ran.every((p) => p.outcome === 'success')).toBe(true);
    expect(host?.cleanup.leaked).toBe(0);
    expect(joiner?.cleanup.leaked).toBe(0);
    // the sessions' events crossed from the hosts through the engines to the face
    const connected = events.get(a)?.filter((e) => e.name === 'peer.connected') ?? [];
    expect(connected.map((e) => e.data?.path)).toEqual(['host', 'relay']);
    // libwebrtc is loaded in every peer host, and in neither engine
    for (const made of [a, b]) {
      expect(mapsWrtc(made.pid as number)).toBe(false);
      expect(childrenOf(made.pid as number).every(mapsWrtc)).toBe(true);
    }
  }, 120_000);

  it('a peer host SIGKILLed mid-session fails that session (PeerHostLost), the next runs on a new host, nothing leaks', async () => {
    const a = await engine('peerjs-a', ['peerjs']);
    const b = await engine('peerjs-b', ['peerjs']);
    const engineA = a.pid as number;
    const hostsA = childrenOf(engineA);
    const seen = events.get(a) as TriageEvent[];
    let killed: number[] = [];
    // once the first session's peers are connected (measuring), every peer host of the hosting engine dies
    const unwatch = a.onEvent((event) => {
      if (event.name === 'peer.connected' && event.data?.path === 'host' && killed.length === 0) {
        killed = childrenOf(engineA);
        for (const pid of killed) process.kill(pid, 'SIGKILL');
      }
    });
    const { host, joiner } = await pair(a, b);
    unwatch();

    expect(killed.sort()).toEqual(hostsA.sort());
    expect(a.pid).toBe(engineA); // the engine itself went on
    expect(host?.status).toBe('completed');
    expect(host?.pairedVia?.kind).toBe('peerjs');
    expect(joiner?.paths).toEqual(host?.paths);
    const first = host?.paths.find((p) => p.path === 'host');
    expect(first).toMatchObject({ outcome: 'error', errorClass: 'internal' });
    expect(first?.message).toMatch(/peer host process running this partner session ended \(SIGKILL\)/);
    expect(first?.metrics.peerHostLost).toBe(true);
    // the next session ran on the hosts the pool started instead
    expect(host?.paths.find((p) => p.path === 'relay')?.outcome).toBe('success');
    expect(seen.some((e) => e.name === 'peer.connected' && e.data?.path === 'relay')).toBe(true);
    expect(host?.cleanup.leaked).toBe(0);
    expect(joiner?.cleanup.leaked).toBe(0);

    // no orphans: the killed hosts are gone, the engine has its replacements, and closing ends them all
    await waitUntil('the killed peer hosts to be gone', () => killed.every(gone), 5_000);
    const replacements = childrenOf(engineA);
    expect(replacements.length).toBeGreaterThanOrEqual(2);
    expect(replacements.some((pid) => killed.includes(pid))).toBe(false);
    expect(mapsWrtc(engineA)).toBe(false);
    await a.close();
    expect(gone(engineA)).toBe(true);
    await waitUntil('the replacement hosts to end', () => replacements.every(gone), 2_000);
  }, 120_000);

  it("the joiner's peer host SIGKILLed mid-session: the joiner says so, the host records it, both tables agree", async () => {
    const a = await engine('join-kill-a', ['gun']);
    const b = await engine('join-kill-b', ['gun']);
    const engineB = b.pid as number;
    let killed: number[] = [];
    const unwatch = a.onEvent((event) => {
      if (event.name === 'peer.connected' && event.data?.path === 'host' && killed.length === 0) {
        killed = childrenOf(engineB);
        for (const pid of killed) process.kill(pid, 'SIGKILL');
      }
    });
    const { host, joiner } = await pair(a, b);
    unwatch();

    expect(killed.length).toBeGreaterThanOrEqual(2);
    expect(b.pid).toBe(engineB);
    expect(host?.status).toBe('completed');
    expect(joiner?.paths).toEqual(host?.paths);
    const first = host?.paths.find((p) => p.path === 'host');
    expect(first).toMatchObject({ outcome: 'error', errorClass: 'internal' });
    expect(first?.message).toMatch(
      /^joiner: the peer host process running this partner session ended \(SIGKILL\)/,
    );
    // the same metrics as a host whose peer host was lost, in both sides' tables
    expect(first?.metrics.peerHostLost).toBe(true);
    expect(host?.paths.find((p) => p.path === 'relay')?.outcome).toBe('success');
    expect(host?.cleanup.leaked).toBe(0);
    expect(joiner?.cleanup.leaked).toBe(0);
    await waitUntil('the killed peer hosts to be gone', () => killed.every(gone), 5_000);
    expect(mapsWrtc(engineB)).toBe(false);
  }, 120_000);
});
