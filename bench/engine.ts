/**
 * npm run bench:engine — prints figures, asserts nothing.
 *  1. Time to a full lab diagnosis (every probe, in parallel) against the slowest single probe job
 *     run alone: the ratio shows what parallelism costs (goal ≤ 1.5).
 *  2. STUN Binding latency of our probe against coturn's own client (turnutils_stunclient) on the
 *     same coturn, in the same run (goal ≤ 1.0 per binding, excluding process start).
 * BENCH_CONCURRENCY overrides the config's concurrency (default 8) to see how parallelism scales.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseConfig } from '../src/core/config/load';
import { resolveTargets } from '../src/core/config/targets';
import { probesFor, probesForTarget } from '../src/core/probes/registry';
import { AttemptLedger } from '../src/core/runner/ledger';
import { runDiagnosis } from '../src/core/runner/run';
import { startLab } from '../src/lab';
import { startCoturn, hasCoturn } from '../tests/helpers/coturn';
import { runJobQuietly } from '../tests/helpers/probe';

const ROUNDS = 7;
const BINDINGS = 200;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

async function main(): Promise<void> {
  if (!hasCoturn) {
    console.log('coturn is not installed (apt-get install coturn): cannot run the engine benchmark');
    process.exitCode = 1;
    return;
  }
  const lab = await startLab();
  const turn = await startCoturn({ rfc5780: true });
  try {
    const config = parseConfig({
      targets: [
        ...lab.config.targets,
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
    const targets = resolveTargets(config);

    // 1. full diagnosis vs the slowest job alone
    const full: number[] = [];
    const slowest: number[] = [];
    const serial: number[] = [];
    let slowestName = '';
    let leaked = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now();
      const report = await runDiagnosis({ config, targets });
      full.push(performance.now() - started);
      leaked += report.cleanup.leaked;
      const failed = report.attempts.filter((a) => a.outcome !== 'success');
      if (failed.length)
        throw new Error(
          `bench setup broken: ${failed.map((a) => `${a.probe}@${a.targetId}: ${a.errorMessage}`).join('; ')}`,
        );

      let worst = 0;
      let sum = 0;
      for (const target of targets) {
        for (const probe of probesForTarget(target)) {
          const ledger = new AttemptLedger();
          const t0 = performance.now();
          await runJobQuietly(probe, target, targets, config, ledger);
          const took = performance.now() - t0;
          sum += took;
          if (took > worst) {
            worst = took;
            slowestName = `${probe.name} @ ${target.id}`;
          }
          leaked += ledger.counts().leaked;
        }
      }
      slowest.push(worst);
      serial.push(sum);
    }
    const jobs = targets.reduce((n, t) => n + probesForTarget(t).length, 0);
    const ratio = median(full) / median(slowest);
    console.log(
      `full lab diagnosis (${jobs} probe jobs, concurrency ${config.concurrency}): median ${fmt(median(full))} over ${ROUNDS} rounds`,
    );
    console.log(`slowest single probe alone (${slowestName}): median ${fmt(median(slowest))}`);
    console.log(`ratio full / slowest: ${ratio.toFixed(2)} (goal <= 1.5: ${ratio <= 1.5 ? 'PASS' : 'MISS'})`);
    console.log(
      `every job one after another: median ${fmt(median(serial))}; parallel speed-up ${(median(serial) / median(full)).toFixed(2)}x (on loopback the probes are CPU-bound on one JS thread, so the ratio above is dominated by per-job CPU; on real networks round trips dominate)`,
    );
    console.log(`leaked resources over all rounds: ${leaked}`);

    // 2. STUN binding latency: our probe vs turnutils_stunclient on the same coturn
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
      withBinding.push(time(['-p', String(turn.port), '127.0.0.1']));
      startOnly.push(time([]));
    }
    const theirs = Math.max(0.001, median(withBinding) - median(startOnly));
    console.log(
      `our STUN binding (whole attempt: socket, request, answer, teardown): median ${fmt(median(ours))}; on the wire (RTT) ${fmt(median(oursWire))}; ${BINDINGS} bindings`,
    );
    console.log(
      `turnutils_stunclient: median ${fmt(median(withBinding))} per run, ${fmt(median(startOnly))} to start and exit; binding without process start ≈ ${fmt(theirs)}`,
    );
    const bindingRatio = median(ours) / theirs;
    console.log(
      `ratio ours / turnutils per binding: ${bindingRatio.toFixed(2)} (goal <= 1.0: ${bindingRatio <= 1 ? 'PASS' : 'MISS'})`,
    );
  } finally {
    await turn.stop();
    await lab.close();
  }
}

void main();
