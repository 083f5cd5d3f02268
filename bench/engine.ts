/**
 * npm run bench:engine — prints figures, asserts nothing.
 *  1. Time to a full lab diagnosis (every probe, in parallel) against the slowest single probe job
 *     run alone: the ratio shows what parallelism costs (goal ≤ 1.5). With it, per job: wall and CPU
 *     time alone, when it ran inside the full diagnosis, and the critical path (the job that ended
 *     last and what it waited for); the machine's load; and the floor the CPU time sets.
 *  2. STUN Binding latency of our probe against coturn's own client (turnutils_stunclient) on the
 *     same coturn, in the same run (goal ≤ 1.0 per binding, excluding process start).
 * Knobs: BENCH_CONCURRENCY overrides the config's concurrency (default 8); BENCH_ROUNDS (default 7);
 *  BENCH_PEER_HOSTS (default: the engine's, one per core, 2 to 4; 0 runs every probe in this process); BENCH_TRACE_WRTC=1 adds the time each synchronous wrtc call held the JS thread in the full runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../src/contract';
import { parseConfig } from '../src/core/config/load';
import { resolveTargets } from '../src/core/config/targets';
import { probesFor } from '../src/core/probes/registry';
import type { ResolvedTarget } from '../src/core/probes/types';
import { AttemptLedger } from '../src/core/ledger/ledger';
import { runDiagnosis } from '../src/core/runner/run';
import { DEFAULT_PEER_HOSTS, PeerHostPool } from '../src/core/isolation/pool';
import { inPeerHosts } from '../src/core/isolation/placement';
import { startLab } from '../src/lab';
import { startCoturn, hasCoturn } from '../tests/helpers/coturn';
import { runJobQuietly } from '../tests/helpers/probe';
import { cpuSample, cpuSince, machineLoad, processesCpuMs, type CpuDelta } from './cpu';
import { jobsOf, runAlone, timeline, type AloneRun, type Job, type JobSpan } from './engine-jobs';
import { median, mode, ms, spread } from './stats';
import { recordWrtcTrace, traceWrtc, wrtcTraceLines } from './wrtc-trace';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const BINDINGS = 200;
const TRACE = process.env.BENCH_TRACE_WRTC === '1';
const PEER_HOSTS = Number(process.env.BENCH_PEER_HOSTS ?? DEFAULT_PEER_HOSTS);
const HOST_ENTRY = join(process.cwd(), 'dist', 'peer-host.cjs');

interface Round {
  load1: number;
  fullMs: number;
  fullCpu: CpuDelta;
  /** The peer hosts' CPU time during the full run (0 without hosts). */
  hostsMs: number;
  spans: JobSpan[];
  alone: Map<string, AloneRun>;
}

async function main(): Promise<void> {
  if (!hasCoturn) {
    console.log('coturn is not installed (apt-get install coturn): cannot run the engine benchmark');
    process.exitCode = 1;
    return;
  }
  if (TRACE && !traceWrtc()) console.log('BENCH_TRACE_WRTC: cannot load the wrtc binding; not tracing');
  const lab = await startLab();
  const turn = await startCoturn({ rfc5780: true });
  try {
    // as `rtc-triage diagnose --config <coturn> --lab` runs it: coturn is a configured server (L2), the
    // embedded lab's targets are layer L1 (they prove this machine; no reflexive session against them)
    const config = parseConfig({
      targets: [
        { kind: 'stun', id: 'coturn-stun', url: `stun:127.0.0.1:${turn.port}` },
        {
          kind: 'turn',
          id: 'coturn-udp',
          url: `turn:127.0.0.1:${turn.port}?transport=udp`,
          username: turn.user,
          credential: turn.password,
        },
        {
          kind: 'turn',
          id: 'coturn-tcp',
          url: `turn:127.0.0.1:${turn.port}?transport=tcp`,
          username: turn.user,
          credential: turn.password,
        },
      ],
      retry: { maxAttempts: 1 },
      concurrency: Number(process.env.BENCH_CONCURRENCY ?? 8),
    });
    const configured = resolveTargets(config);
    const targets = [
      ...configured,
      ...resolveTargets(parseConfig(lab.config), { lab: true, taken: configured.map((t) => t.id) }),
    ];
    await fullVersusSlowest(config, targets);
    await stunComparison(config, targets, turn.port);
  } finally {
    await turn.stop();
    await lab.close();
  }
}

async function fullVersusSlowest(config: Config, targets: ResolvedTarget[]): Promise<void> {
  const jobs = jobsOf(targets);
  let peerHosts: PeerHostPool | null = null;
  if (PEER_HOSTS > 0) {
    if (!PeerHostPool.available(HOST_ENTRY))
      throw new Error(`${HOST_ENTRY} is missing: run npm run build:cli first`);
    peerHosts = new PeerHostPool({ entry: HOST_ENTRY, size: PEER_HOSTS });
    await peerHosts.ready();
  }
  console.log(
    peerHosts
      ? `WebRTC probes of the full runs in ${PEER_HOSTS} peer host process(es); every job alone in this process`
      : 'every probe in this process (BENCH_PEER_HOSTS=0)',
  );
  try {
    await timeRounds(config, targets, jobs, peerHosts);
  } finally {
    peerHosts?.close();
  }
}

async function timeRounds(
  config: Config,
  targets: ResolvedTarget[],
  jobs: Job[],
  peerHosts: PeerHostPool | null,
): Promise<void> {
  // one untimed pass: libwebrtc loads, the JIT warms, the lab's servers see their first clients
  await runDiagnosis({ config, targets, placeProbe: inPeerHosts(peerHosts) });
  for (const job of jobs) await runAlone(job, targets, config);

  const rounds: Round[] = [];
  let leaked = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const load1 = machineLoad().load1;
    let started = 0;
    const tl = timeline(() => started);
    const cpu = cpuSample();
    const pids = peerHosts?.pids ?? [];
    const hostsBefore = processesCpuMs(pids);
    recordWrtcTrace(TRACE);
    started = performance.now();
    const report = await runDiagnosis({
      config,
      targets,
      placeProbe: inPeerHosts(peerHosts),
      onEvent: tl.record,
    });
    const fullMs = performance.now() - started;
    recordWrtcTrace(false);
    const fullCpu = cpuSince(cpu);
    const hostsMs = processesCpuMs(pids) - hostsBefore;
    leaked += report.cleanup.leaked;
    const failed = report.attempts.filter((a) => a.outcome !== 'success');
    if (failed.length)
      throw new Error(
        `bench setup broken: ${failed.map((a) => `${a.probe}@${a.targetId}: ${a.errorMessage}`).join('; ')}`,
      );
    const alone = new Map<string, AloneRun>();
    for (const job of jobs) {
      const run = await runAlone(job, targets, config);
      if (run.outcome !== 'success' && run.outcome !== 'skipped')
        throw new Error(`bench setup broken: ${job.key} alone: ${run.outcome}`);
      leaked += run.leaked;
      alone.set(job.key, run);
    }
    rounds.push({ load1, fullMs, fullCpu, hostsMs, spans: tl.spans(), alone });
  }
  printFigures(config, jobs, rounds);
  if (TRACE) for (const line of wrtcTraceLines(rounds.length)) console.log(line);
  console.log(`leaked resources over all rounds: ${leaked}`);
}

function printFigures(config: Config, jobs: Job[], rounds: Round[]): void {
  const { cores } = machineLoad();
  const of = <T>(f: (round: Round) => T) => rounds.map(f);
  const slowestOf = (round: Round) =>
    [...round.alone.entries()].reduce((a, b) => (b[1].wallMs > a[1].wallMs ? b : a));
  const lastOf = (round: Round) => round.spans.reduce((a, b) => (b.endMs > a.endMs ? b : a));

  console.log(
    `machine: ${cores} cores; 1-min load average at each round ${spread(
      of((r) => r.load1),
      (x) => x.toFixed(2),
    )}; ` +
      `the JS thread waited for a core ${spread(of((r) => r.fullCpu.mainWaitMs))} per full run (runnable, not running)`,
  );

  console.log(
    `\nper job, medians over ${rounds.length} rounds ("alone": the job by itself; "in full run": inside the diagnosis)`,
  );
  const width = Math.max(...jobs.map((j) => j.key.length));
  console.log(
    `  ${'job'.padEnd(width)}  ${'alone wall'.padStart(10)}  ${'alone CPU'.padStart(10)}  ${'JS thread'.padStart(10)}  ${'JS blocked'.padStart(10)}  ${'full: start'.padStart(11)}  ${'full: wall'.padStart(10)}`,
  );
  const rows = jobs
    .map((job) => {
      const alone = rounds.map((r) => r.alone.get(job.key)).filter((a): a is AloneRun => a !== undefined);
      const spans = rounds.map((r) => r.spans.find((s) => s.key === job.key)).filter((s) => s !== undefined);
      return {
        job,
        wall: median(alone.map((a) => a.wallMs)),
        cpu: median(alone.map((a) => a.cpu.processMs)),
        main: median(alone.map((a) => a.cpu.mainMs)),
        blocked: median(alone.map((a) => a.cpu.mainBlockedMs)),
        start: median(spans.map((s) => s.startMs)),
        inFull: median(spans.map((s) => s.endMs - s.startMs)),
      };
    })
    .sort((a, b) => b.wall - a.wall);
  for (const row of rows)
    console.log(
      `  ${row.job.key.padEnd(width)}  ${ms(row.wall).padStart(10)}  ${ms(row.cpu).padStart(10)}  ${ms(row.main).padStart(10)}  ${ms(row.blocked).padStart(10)}  ${ms(row.start).padStart(11)}  ${ms(row.inFull).padStart(10)}`,
    );

  const full = of((r) => r.fullMs);
  const slowest = of((r) => slowestOf(r)[1].wallMs);
  const serial = of((r) => [...r.alone.values()].reduce((sum, a) => sum + a.wallMs, 0));
  const serialCpu = of((r) => [...r.alone.values()].reduce((sum, a) => sum + a.cpu.processMs, 0));
  console.log(
    `\nfull lab diagnosis (${jobs.length} probe jobs, concurrency ${config.concurrency}): ${spread(full)} over ${rounds.length} rounds`,
  );
  console.log(
    `  CPU per full run: process ${spread(of((r) => r.fullCpu.processMs))}, JS thread ${spread(of((r) => r.fullCpu.mainMs))}, other threads (libwebrtc, lab workers) ${spread(of((r) => r.fullCpu.otherMs))}`,
  );
  if (rounds.some((r) => r.hostsMs > 0))
    console.log(`  CPU per full run in the peer hosts (10 ms ticks): ${spread(of((r) => r.hostsMs))}`);
  console.log(
    `  JS thread per full run: event loop busy ${spread(of((r) => r.fullCpu.loopActiveMs))}, of it blocked in synchronous calls (busy, off a CPU, not waiting for one) at least ${spread(of((r) => r.fullCpu.mainBlockedMs))}`,
  );
  console.log(
    `every job alone, one after another: wall ${spread(serial)}, CPU ${spread(serialCpu)}; parallel speed-up ${(median(serial) / median(full)).toFixed(2)}x`,
  );
  console.log(
    `slowest single job alone: ${spread(slowest)} (most often ${mode(of((r) => slowestOf(r)[0]))})`,
  );
  const ratio = median(full) / median(slowest);
  const perRound = of((r) => r.fullMs / slowestOf(r)[1].wallMs);
  console.log(
    `ratio full / slowest: ${ratio.toFixed(2)} (per round ${spread(perRound, (x) => x.toFixed(2))}) (goal <= 1.5: ${ratio <= 1.5 ? 'PASS' : 'MISS'})`,
  );

  // the critical path, read in the round whose full run is the median one
  const byFull = [...rounds].sort((a, b) => a.fullMs - b.fullMs);
  const mid = byFull[Math.floor((byFull.length - 1) / 2)] as Round;
  const last = lastOf(mid);
  const alone = mid.alone.get(last.key);
  const steps = milestoneSteps(last, alone);
  // a job that did not start with the run waited for a `concurrency` slot: the job that freed it
  const freedBy = mid.spans
    .filter((s) => s.endMs <= last.startMs)
    .reduce<JobSpan | undefined>((a, b) => (a === undefined || b.endMs > a.endMs ? b : a), undefined);
  const queued = freedBy ? `, queued for a slot until ${freedBy.key} ended` : ' (with the run)';
  console.log(
    `critical path (median round, ${ms(mid.fullMs)}): ${last.key} ended last at ${ms(last.endMs)}; it started at ${ms(last.startMs)}${queued} and ran ${ms(last.endMs - last.startMs)} (alone ${alone ? ms(alone.wallMs) : 'n/a'})`,
  );
  console.log(`  its milestones, ms after its start, in the full run (alone): ${steps.join(', ')}`);
  console.log(
    `  the JS thread ran ${ms(mid.fullCpu.mainMs)} of the ${ms(mid.fullMs)} (${((100 * mid.fullCpu.mainMs) / mid.fullMs).toFixed(0)}% busy) and waited ${ms(mid.fullCpu.mainWaitMs)} for a core`,
  );
  const slowKey = slowestOf(mid)[0];
  const slowSpan = mid.spans.find((s) => s.key === slowKey);
  if (slowSpan && slowKey !== last.key)
    console.log(
      `  the slowest job alone, ${slowKey}, ran ${ms(slowSpan.endMs - slowSpan.startMs)} from ${ms(slowSpan.startMs)} in that run: ${milestoneSteps(slowSpan, mid.alone.get(slowKey)).join(', ')}`,
    );
  const lastKeys = of((r) => lastOf(r).key);
  console.log(
    `  ended last, over all rounds: ${[...new Set(lastKeys)].map((k) => `${k} ×${lastKeys.filter((x) => x === k).length}`).join(', ')}`,
  );

  // the floor: even perfectly packed, a full run needs the slowest job's own time, its CPU time spread
  // over every core, and the JS thread's time (one thread, never shared)
  const floors = of((r) =>
    Math.max(slowestOf(r)[1].wallMs, (r.fullCpu.processMs + r.hostsMs) / cores, r.fullCpu.mainMs),
  );
  console.log(
    `floor: max(slowest alone, CPU of this process and its peer hosts / ${cores} cores, JS-thread CPU) = ${spread(floors)} → ratio floor ${(median(floors) / median(slowest)).toFixed(2)}`,
  );
}

/** "name at (alone)" for each milestone of a job in the full run, ms after the job started. */
function milestoneSteps(span: JobSpan, alone: AloneRun | undefined): string[] {
  return [...span.milestones.entries()]
    .filter(([name]) => name !== 'attempt.finished')
    .map(([name, at]) => {
      const solo = alone?.milestones.get(name);
      return `${name} ${at.toFixed(0)}${solo === undefined ? '' : ` (${solo.toFixed(0)})`}`;
    });
}

async function stunComparison(config: Config, targets: ResolvedTarget[], port: number): Promise<void> {
  const ours: number[] = [];
  const oursWire: number[] = [];
  const stunTarget = targets.find((t) => t.id === 'coturn-stun');
  const binding = probesFor('stun').find((p) => p.name === 'stun-binding');
  if (!stunTarget || !binding) throw new Error('no coturn stun target');
  for (let i = 0; i < BINDINGS; i++) {
    const ledger = new AttemptLedger();
    const [attempt] = await runJobQuietly(binding, stunTarget, targets, config, ledger);
    if (attempt?.outcome !== 'success') throw new Error(`binding failed: ${attempt?.errorMessage}`);
    ours.push(attempt.durationMs);
    oursWire.push(Number(attempt.metrics.rttMs));
  }
  const client = '/usr/bin/turnutils_stunclient';
  if (!existsSync(client)) {
    console.log('turnutils_stunclient not found: skipping the comparison');
    return;
  }
  // The reference client is a process: time a run that binds, and one that only starts and exits
  // (usage text), and take the difference as its binding time without process start.
  const time = (args: string[]) => {
    const t0 = performance.now();
    try {
      execFileSync(client, args, { stdio: 'ignore' });
    } catch {
      // usage exits non-zero; the time still counts
    }
    return performance.now() - t0;
  };
  const withBinding: number[] = [];
  const startOnly: number[] = [];
  for (let i = 0; i < 30; i++) {
    withBinding.push(time(['-p', String(port), '127.0.0.1']));
    startOnly.push(time([]));
  }
  const theirs = Math.max(0.001, median(withBinding) - median(startOnly));
  console.log(
    `\nour STUN binding (whole attempt: socket, request, answer, teardown): median ${ms(median(ours))}; on the wire (RTT) ${ms(median(oursWire))}; ${BINDINGS} bindings`,
  );
  console.log(
    `turnutils_stunclient: median ${ms(median(withBinding))} per run, ${ms(median(startOnly))} to start and exit; binding without process start ≈ ${ms(theirs)}`,
  );
  const bindingRatio = median(ours) / theirs;
  console.log(
    `ratio ours / turnutils per binding: ${bindingRatio.toFixed(2)} (goal <= 1.0: ${bindingRatio <= 1 ? 'PASS' : 'MISS'})`,
  );
}

void main();
