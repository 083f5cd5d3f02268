/**
 * The concurrency scenario (the seed's "≥5 concurrent peers"): PAIRS peers in lanA and their
 * partners in lanB, all at once, meeting through the GUN relay in pub and connecting across both
 * NATs; each pair echoes over its data channel. Every pair must echo (or the row fails), each within
 * 30 s, and each side's ledger must read zero.
 */
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PUB, STUN_PORT, TURN_PORT } from './addresses';
import type { PairLine } from './peers-child';
import { SETTLE_MS, type ScenarioResult } from './run-scenario';
import { startPubServers, TURN_PASSWORD, TURN_USER } from './servers';
import { ROOT } from './support';
import { Topology, type Role } from './topology';

export const PAIRS = 6;
const PAIR_DEADLINE_MS = 25_000;

interface SideRun {
  pairs: PairLine[];
  ledger: { opened: number; released: number; leaked: number } | null;
  outstanding: unknown[];
  code: number | null;
  stderr: string;
}

/** Bundles the child next to node_modules so its packages (wrtc, simple-peer, ws) resolve. */
async function bundleChild(): Promise<string> {
  const dir = join(ROOT, 'node_modules', '.cache', 'rtc-triage-lab');
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, `peers-child-${process.pid}.cjs`);
  await build({
    entryPoints: [join(ROOT, 'tests', 'lab', 'net', 'peers-child.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    logLevel: 'warning',
  });
  return outfile;
}

function runSide(topology: Topology, role: Role, args: string[]): Promise<SideRun> {
  return new Promise((resolve) => {
    const child = topology.spawn(role, [process.execPath, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const killer = setTimeout(() => child.kill('SIGKILL'), PAIR_DEADLINE_MS + 30_000);
    child.once('close', (code) => {
      clearTimeout(killer);
      const run: SideRun = { pairs: [], ledger: null, outstanding: [], code, stderr };
      for (const line of stdout.split('\n')) {
        if (!line.startsWith('{')) continue;
        const parsed = JSON.parse(line) as PairLine | { ledger: SideRun['ledger']; outstanding: unknown[] };
        if ('pair' in parsed) run.pairs.push(parsed);
        else {
          run.ledger = parsed.ledger;
          run.outstanding = parsed.outstanding;
        }
      }
      resolve(run);
    });
  });
}

export async function runConcurrency(tag: string, pairs = PAIRS): Promise<ScenarioResult> {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-lab-concurrency-'));
  const result: ScenarioResult = {
    id: 'concurrency',
    title: `${pairs} peer pairs across the NATs at once, through the GUN relay`,
    expected: `${pairs}/${pairs} pairs echo`,
    got: '—',
    problems: [],
    stats: { attempts: 0, settled: 0, leaked: 0 },
    durationMs: 0,
  };
  let topology: Topology | null = null;
  let script: string | null = null;
  try {
    script = await bundleChild();
    // Routers firewalled like home routers (drop unsolicited inbound), as in the partner rows: the pairs
    // may then connect directly across the NATs. Without it every pair must relay through the one TURN
    // server, and on a loaded 2-core CI machine one of six sometimes missed its 25 s echo (docs/lab.md).
    topology = Topology.build(tag, { dropUnsolicited: true });
    const servers = await startPubServers(topology, join(dir, 'pub'));
    const gun = servers.targets.find((t) => t.kind === 'gun');
    if (!gun) throw new Error('no GUN relay in pub');
    const iceServers = JSON.stringify([
      { urls: `stun:${PUB.stunPrimary}:${STUN_PORT}` },
      { urls: `turn:${PUB.turn}:${TURN_PORT}?transport=udp`, username: TURN_USER, credential: TURN_PASSWORD },
    ]);
    const run = `c${process.pid}${Date.now().toString(36)}`;
    const args = (role: 'offer' | 'answer') => [
      script as string,
      role,
      gun.url,
      String(pairs),
      run,
      iceServers,
      String(PAIR_DEADLINE_MS),
    ];
    const [answers, offers] = await Promise.all([
      runSide(topology, 'lanB', args('answer')),
      runSide(topology, 'lanA', args('offer')),
    ]);

    const echoed = offers.pairs.filter((p) => p.outcome === 'echoed');
    const within = (p: PairLine) => p.durationMs <= SETTLE_MS;
    result.stats = {
      attempts: offers.pairs.length,
      // a pair counts when it echoed, or aborted cleanly (its ledger released), within 30 s
      settled: offers.pairs.filter(within).length,
      leaked: (offers.ledger?.leaked ?? 0) + (answers.ledger?.leaked ?? 0),
    };
    const paths = [...new Set(echoed.map((p) => `${p.local ?? '?'}/${p.remote ?? '?'}`))].join(', ');
    result.got = `${echoed.length}/${pairs} echo${paths ? ` (${paths})` : ''}`;
    for (const [name, side] of [
      ['lanA', offers],
      ['lanB', answers],
    ] as const) {
      if (side.code !== 0)
        result.problems.push(`${name} child exited ${side.code}: ${side.stderr.trim().slice(-500)}`);
      if (!side.ledger) result.problems.push(`${name} child printed no ledger`);
      else if (side.ledger.leaked > 0 || side.ledger.opened !== side.ledger.released)
        result.problems.push(
          `${name} ledger: ${JSON.stringify(side.ledger)} ${JSON.stringify(side.outstanding)}`,
        );
      if (side.pairs.length !== pairs)
        result.problems.push(`${name} reported ${side.pairs.length} pairs, not ${pairs}`);
    }
    for (const p of offers.pairs.filter((x) => x.outcome !== 'echoed'))
      result.problems.push(`pair ${p.pair} did not echo: ${p.reason ?? 'no reason'}`);
    for (const p of answers.pairs.filter((x) => x.outcome !== 'echoed'))
      result.problems.push(`pair ${p.pair} (answering side) did not finish: ${p.reason ?? 'no reason'}`);
    if (result.stats.settled < result.stats.attempts)
      result.problems.push(
        `${result.stats.attempts - result.stats.settled} pair(s) took longer than ${SETTLE_MS} ms`,
      );
    if (result.stats.leaked > 0) result.problems.push(`${result.stats.leaked} resource(s) leaked`);
    return result;
  } catch (error) {
    result.problems.push(`harness: ${error instanceof Error ? error.message : String(error)}`);
    return result;
  } finally {
    if (topology) {
      await topology.destroy();
      const left = topology.leftovers();
      if (left.length) result.problems.push(`namespaces left behind: ${left.join(', ')}`);
    }
    if (script) rmSync(script, { force: true });
    rmSync(dir, { recursive: true, force: true });
    result.durationMs = Date.now() - started;
  }
}
