/**
 * Runs one partner scenario from nothing: its own topology (both routers dropping unsolicited inbound
 * packets, as home routers do), the servers in pub, then two real CLI processes —
 * `rtc-triage partner --host --json` in lanA and `--join CODE` in lanB — and tears everything down
 * whatever happens. The result is a row of the lab's matrix.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PartnerResultSchema, type ConfigInput, type PartnerResult } from '../../../src/contract';
import { HEARTBEAT_MS } from '../../../src/core/partner/link';
import { MEASURE_MS } from '../../../src/core/partner/measure';
import { pathBudgetMs } from '../../../src/core/partner/path-row';
import type { PartnerRun, PartnerScenario } from './partner-scenarios';
import { SETTLE_MS, type RunStats, type ScenarioResult } from './run-scenario';
import { startPubServers, type PubServers } from './servers';
import { CLI_BIN } from './support';
import { Topology, type Role } from './topology';

/** Stage timeouts for the partner's sessions across the NATs; the silence limit is max(6 s, 2 × answerMs). */
const TIMEOUTS = { stunMs: 3000, iceGatheringMs: 5000, offerMs: 3000, answerMs: 3000, connectMs: 6000 };
export const PARTNER_TIMING: Omit<ConfigInput, 'targets'> = {
  timeouts: TIMEOUTS,
  retry: { maxAttempts: 2, baseDelayMs: 200, maxDelayMs: 1000, multiplier: 2, jitter: 'full' },
};

/**
 * The most a host may run on after its partner dies: the session under way's own limit (its stages,
 * the measurement, then the silence limit, max(6 s, 2 × answerMs), and one heartbeat).
 */
export const AFTER_KILL_LIMIT_MS =
  pathBudgetMs(TIMEOUTS, MEASURE_MS) + Math.max(6000, 2 * TIMEOUTS.answerMs) + HEARTBEAT_MS;

/** A tester that has not ended by then is killed and the row fails (the plan itself takes well under it). */
const TESTER_DEADLINE_MS = 150_000;

interface Tester {
  child: ChildProcess;
  /** The first stdout line (the host's code line); '' if it exited first. */
  firstLine: Promise<string>;
  /** Resolves once a stderr line matches; false if it exited first. */
  stderrLine(pattern: RegExp): Promise<boolean>;
  exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function startTester(topology: Topology, role: Role, args: string[], dir: string): Tester {
  const child = topology.spawn(role, [process.execPath, CLI_BIN, 'partner', ...args], {
    env: { ...process.env, RTC_TRIAGE_DATA_DIR: join(dir, `data-${role}`) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const onStdout: Array<() => void> = [];
  const onStderr: Array<() => void> = [];
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const notify of [...onStdout]) notify();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const notify of [...onStderr]) notify();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), TESTER_DEADLINE_MS);
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code) => {
      clearTimeout(killer);
      for (const notify of [...onStdout, ...onStderr]) notify();
      resolve({ code, stdout, stderr });
    }),
  );
  let ended = false;
  void exited.then(() => (ended = true));
  const waitFor = <T>(list: Array<() => void>, check: () => T | undefined, fallback: T) =>
    new Promise<T>((resolve) => {
      const notify = () => {
        const found = check();
        if (found !== undefined || ended || child.exitCode !== null) {
          list.splice(list.indexOf(notify), 1);
          resolve(found ?? fallback);
        }
      };
      list.push(notify);
      notify();
    });
  return {
    child,
    exited,
    firstLine: waitFor(onStdout, () => (stdout.includes('\n') ? stdout.split('\n')[0] : undefined), ''),
    stderrLine: (pattern) =>
      waitFor(onStderr, () => (stderr.split('\n').some((l) => pattern.test(l)) ? true : undefined), false),
  };
}

function lastResult(stdout: string): PartnerResult {
  return PartnerResultSchema.parse(JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null'));
}

/** The lab's targets a partner uses: coturn's STUN, the chosen signaling server first, the other, TURN over UDP. */
function partnerConfig(servers: PubServers, first: 'gun' | 'peerjs'): ConfigInput {
  const byId = (id: string) => {
    const t = servers.targets.find((x) => x.id === id);
    if (!t) throw new Error(`pub has no ${id}`);
    return t;
  };
  const signaling = first === 'gun' ? ['gun', 'peerjs'] : ['peerjs', 'gun'];
  return {
    targets: [byId('stun-a'), ...signaling.map(byId), byId('turn-udp')],
    ...PARTNER_TIMING,
  };
}

const describeEnd = (r: PartnerResult) =>
  r.status === 'completed'
    ? `${r.verdict?.kind ?? 'no verdict'} (${r.verdict?.local ?? '-'}/${r.crossNetwork.result}) via ${r.crossNetwork.path ?? 'none'}`
    : `${r.status}, leaked ${r.cleanup.leaked}`;

export function expectedOf(scenario: PartnerScenario): string {
  const e = scenario.expect;
  return e.status === 'completed'
    ? `${e.kind ?? '?'} (${e.local}/${e.crossNetwork}) via ${e.path ?? 'none'}`
    : `${e.status}, leaked 0`;
}

export async function runPartnerScenario(scenario: PartnerScenario, tag: string): Promise<ScenarioResult> {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), `rtc-triage-lab-${scenario.id}-`));
  const result: ScenarioResult = {
    id: scenario.id,
    title: scenario.title,
    expected: expectedOf(scenario),
    got: '—',
    problems: [],
    stats: { attempts: 0, settled: 0, leaked: 0 },
    durationMs: 0,
  };
  let topology: Topology | null = null;
  try {
    topology = Topology.build(tag, { nat: scenario.nat, dropUnsolicited: true });
    const servers = await startPubServers(topology, join(dir, 'pub'));
    const configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify(partnerConfig(servers, scenario.signaling), null, 2));
    const common = ['--config', configPath];

    const host = startTester(
      topology,
      'lanA',
      ['--host', '--json', ...common, '--db', join(dir, 'a.db')],
      dir,
    );
    const codeLine = await host.firstLine;
    if (!codeLine) throw new Error(`the host printed no code: ${(await host.exited).stderr.slice(-500)}`);
    const code = (JSON.parse(codeLine) as { code: string }).code;
    // without --json the joiner tells its progress on stderr: "paired through …" starts the first session
    const joiner = startTester(
      topology,
      'lanB',
      ['--join', code, ...(scenario.killJoiner ? [] : ['--json']), ...common, '--db', join(dir, 'b.db')],
      dir,
    );
    let killedAt: number | null = null;
    if (scenario.killJoiner) {
      if (!(await joiner.stderrLine(/^paired through/)))
        throw new Error(`the joiner never paired: ${(await joiner.exited).stderr.slice(-500)}`);
      joiner.child.kill('SIGKILL');
      killedAt = Date.now();
    }
    const [h, j] = await Promise.all([
      host.exited.then((end) => ({ ...end, at: Date.now() })),
      joiner.exited,
    ]);
    const run: PartnerRun = {
      host: lastResult(h.stdout),
      join: scenario.killJoiner ? null : lastResult(j.stdout),
      exit: { host: h.code, join: j.code },
      afterKill: killedAt === null ? null : { endedMs: h.at - killedAt, limitMs: AFTER_KILL_LIMIT_MS },
    };
    result.got = describeEnd(run.host);
    if (run.afterKill) result.got += `, ended ${(run.afterKill.endedMs / 1000).toFixed(1)} s after the kill`;
    result.stats = partnerStats(run);
    result.problems.push(...expectationProblems(scenario, run), ...scenario.evidence(run));
    if (result.stats.leaked > 0) result.problems.push(`${result.stats.leaked} resource(s) leaked`);
    if (result.stats.settled < result.stats.attempts)
      result.problems.push(
        `${result.stats.attempts - result.stats.settled} session(s) took longer than ${SETTLE_MS} ms`,
      );
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
    rmSync(dir, { recursive: true, force: true });
    result.durationMs = Date.now() - started;
  }
}

/** The sessions that ran (the table both sides share, counted once) and both sides' leaks. */
function partnerStats(run: PartnerRun): RunStats {
  const ran = run.host.paths.filter((p) => p.outcome !== 'skipped' && p.stage !== 'not-started');
  return {
    attempts: ran.length,
    settled: ran.filter((p) => p.durationMs <= SETTLE_MS).length,
    leaked: run.host.cleanup.leaked + (run.join?.cleanup.leaked ?? 0),
  };
}

function expectationProblems(scenario: PartnerScenario, run: PartnerRun): string[] {
  const e = scenario.expect;
  const problems: string[] = [];
  const h = run.host;
  if (h.status !== e.status) problems.push(`host status ${h.status}, expected ${e.status}: ${h.message}`);
  if (e.kind !== null && h.verdict?.kind !== e.kind)
    problems.push(`verdict ${h.verdict?.kind ?? 'none'}, expected ${e.kind}: ${h.verdict?.title ?? ''}`);
  if (e.kind !== null && h.verdict?.local !== e.local)
    problems.push(`verdict local ${h.verdict?.local ?? 'none'}, expected ${e.local}`);
  if (e.kind !== null && h.verdict?.crossNetwork !== e.crossNetwork)
    problems.push(`verdict crossNetwork ${h.verdict?.crossNetwork ?? 'none'}, expected ${e.crossNetwork}`);
  if (h.crossNetwork.result !== e.crossNetwork)
    problems.push(`partner crossNetwork ${h.crossNetwork.result}, expected ${e.crossNetwork}`);
  if (h.crossNetwork.path !== e.path) problems.push(`path ${h.crossNetwork.path}, expected ${e.path}`);
  for (const [side, r] of [
    ['host', h],
    ['joiner', run.join],
  ] as const) {
    if (r && r.cleanup.leaked > 0) problems.push(`${side} leaked ${r.cleanup.leaked}`);
  }
  return problems;
}
