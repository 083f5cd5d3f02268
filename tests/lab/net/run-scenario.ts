/**
 * Runs one scenario from nothing: its own topology, the servers in pub, the fault, then the real CLI
 * in lanA (`rtc-triage diagnose --config … --json --db …`), and tears everything down whatever
 * happens. The result says what was expected, what came out, and what was wrong.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReportSchema, type ConfigInput, type Report } from '../../../src/contract';
import type { Scenario } from './scenarios';
import { TIMINGS } from './scenarios';
import { startPubServers, type PubServers } from './servers';
import { CLI_BIN } from './support';
import { Topology, type Role } from './topology';

/** The seed's goal: every attempt connects or cleanly aborts within this. */
export const SETTLE_MS = 30_000;

export interface RunStats {
  /** Attempts (or peer pairs) made. */
  attempts: number;
  /** Of those, how many connected or ended cleanly classified within SETTLE_MS. */
  settled: number;
  /** Resources the run's ledger(s) left open. */
  leaked: number;
}

export interface ScenarioResult {
  id: string;
  title: string;
  expected: string;
  got: string;
  problems: string[];
  stats: RunStats;
  durationMs: number;
  report?: Report;
}

/** Runs `node bin/rtc-triage.cjs …` in a namespace; resolves with its exit code and output. */
export function runCliIn(
  topology: Topology,
  role: Role,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 180_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = topology.spawn(role, [process.execPath, CLI_BIN, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

export function statsOf(report: Report): RunStats {
  return {
    attempts: report.attempts.length,
    settled: report.attempts.filter((a) => a.durationMs <= SETTLE_MS).length,
    leaked: report.cleanup.leaked,
  };
}

/** What a scenario's run hands to an observer, after the diagnosis and before the teardown. */
export interface ScenarioContext {
  topology: Topology;
  servers: PubServers;
  config: ConfigInput;
  report: Report;
  /** The scenario's own temp folder (removed afterwards). */
  dir: string;
}

export interface RunOptions {
  /**
   * Runs in the scenario's still-standing lab once the diagnosis is in (the Chromium agreement, net-lab.test.ts);
   * the problems it returns join the scenario's.
   */
  observe?: (context: ScenarioContext) => Promise<string[]>;
}

export async function runScenario(
  scenario: Scenario,
  tag: string,
  options: RunOptions = {},
): Promise<ScenarioResult> {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), `rtc-triage-lab-${scenario.id}-`));
  const expected = `${scenario.expect.kind} (${scenario.expect.local}/${scenario.expect.crossNetwork})`;
  const result: ScenarioResult = {
    id: scenario.id,
    title: scenario.title,
    expected,
    got: '—',
    problems: [],
    stats: { attempts: 0, settled: 0, leaked: 0 },
    durationMs: 0,
  };
  let topology: Topology | null = null;
  try {
    topology = Topology.build(tag, { nat: scenario.nat ?? 'masquerade' });
    const servers = await startPubServers(topology, join(dir, 'pub'), {
      ...(scenario.turnPassword ? { turnPassword: scenario.turnPassword } : {}),
      ...(scenario.broken ? { broken: scenario.broken } : {}),
    });
    await scenario.fault?.apply(topology, servers);
    const config: ConfigInput = {
      targets: scenario.targets?.(servers) ?? servers.targets,
      // the product trusts the lab CA as a user's config would (WebRTC stacks do not: docs/lab.md)
      tls: { caFile: servers.tls.caFile },
      ...TIMINGS[scenario.timing ?? 'short'],
    };
    const configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    const run = await runCliIn(
      topology,
      'lanA',
      ['diagnose', '--config', configPath, '--json', '--db', join(dir, 'history.db')],
      { ...process.env, RTC_TRIAGE_DATA_DIR: join(dir, 'data') },
    );
    if (run.code !== 0 && run.code !== 1) {
      result.problems.push(`diagnose exited ${run.code}: ${run.stderr.trim().slice(-500)}`);
      return result;
    }
    const report = ReportSchema.parse(JSON.parse(run.stdout));
    result.report = report;
    const v = report.verdict;
    result.got = `${v.kind} (${v.local}/${v.crossNetwork})`;
    result.stats = statsOf(report);
    if (v.kind !== scenario.expect.kind)
      result.problems.push(`verdict ${v.kind}, expected ${scenario.expect.kind}: ${v.title}`);
    if (v.local !== scenario.expect.local)
      result.problems.push(`local ${v.local}, expected ${scenario.expect.local}`);
    if (v.crossNetwork !== scenario.expect.crossNetwork)
      result.problems.push(`crossNetwork ${v.crossNetwork}, expected ${scenario.expect.crossNetwork}`);
    if ((run.code === 0) !== (v.kind === 'healthy'))
      result.problems.push(`exit code ${run.code} for a ${v.kind} verdict`);
    if (result.stats.leaked > 0) result.problems.push(`${result.stats.leaked} resource(s) leaked`);
    if (result.stats.settled < result.stats.attempts)
      result.problems.push(
        `${result.stats.attempts - result.stats.settled} attempt(s) took longer than ${SETTLE_MS} ms`,
      );
    result.problems.push(...scenario.evidence(report));
    if (options.observe)
      result.problems.push(...(await options.observe({ topology, servers, config, report, dir })));
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
