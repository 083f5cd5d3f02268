/**
 * npm run bench:verdict — time to a verdict against the time its evidence needed, per failure shape,
 * with the default timeouts and with stunMs 1500 × 2 attempts. Prints figures and PASS/MISS (never
 * asserts; tests assert behaviour).
 *
 * The evidence floor of a diagnosis is its longest chain of evidence: a job's own span (first
 * attempt's start to last attempt's end, retries and backoff included), plus the longest job that
 * waited for it. Nothing could decide the verdict sooner than that chain. Goals: verdict ≤ 1.2 × floor
 * (or within 50 ms of it, where the floor itself is a few milliseconds) for every shape, and ≤ 2 s for a closed port (the refusal comes back in a millisecond).
 *
 * Shapes: a closed UDP port (ICMP refused); a silent socket; live + closed + silent STUN; a TURN server
 * refusing the password (coturn); an offline machine (a STUN address with no route and a name no
 * resolver answers, only inside this loopback-only namespace, where no packet can leave).
 * Knob: BENCH_ROUNDS (default 3).
 */
import { networkInterfaces } from 'node:os';
import type { ConfigInput, Report } from '../src/contract';
import { parseConfig } from '../src/core/config/load';
import { resolveTargets } from '../src/core/config/targets';
import { runDiagnosis } from '../src/core/runner/run';
import { planJobs, type PlannedJob } from '../src/core/runner/schedule';
import { startLabStunServer } from '../src/lab';
import { hasCoturn, startCoturn } from '../tests/helpers/coturn';
import { startUdpResponder } from '../tests/helpers/hostile-udp';
import { freePort } from '../tests/helpers/ports';
import { median } from './stats';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RATIO_GOAL = 1.2;
const CLOSED_GOAL_MS = 2000;

type Targets = ConfigInput['targets'];
interface Shape {
  name: string;
  targets: Targets;
  closedOnly?: boolean;
}

/**
 * The longest chain of evidence in a report: a job's span plus the longest job that waited for it,
 * the dependencies read from the same plan the runner used (`planJobs`).
 */
export function evidenceFloorMs(report: Report, plan: readonly PlannedJob[]): number {
  const spans = new Map<string, { start: number; end: number }>();
  for (const a of report.attempts) {
    if (a.outcome === 'skipped') continue;
    const key = `${a.targetId} ${a.probe}`;
    const start = Date.parse(a.startedAt);
    const span = spans.get(key) ?? { start, end: start };
    span.start = Math.min(span.start, start);
    span.end = Math.max(span.end, start + a.durationMs);
    spans.set(key, span);
  }
  const length = (targetId: string, probe: string) => {
    const span = spans.get(`${targetId} ${probe}`);
    return span ? span.end - span.start : 0;
  };
  let floor = 0;
  for (const job of plan) {
    const own = length(job.target.id, job.probe.name);
    const waited = plan.filter((d) => d.after === job).map((d) => length(d.target.id, d.probe.name));
    floor = Math.max(floor, own + Math.max(0, ...waited));
  }
  return floor;
}

async function main(): Promise<void> {
  if (!hasCoturn) {
    console.log('coturn is not installed (apt-get install coturn): cannot run the verdict benchmark');
    process.exitCode = 1;
    return;
  }
  const stun = await startLabStunServer();
  const silent = await startUdpResponder(() => null);
  const coturn = await startCoturn();
  const closed = await freePort();
  const live = { kind: 'stun' as const, id: 'live', url: `stun:127.0.0.1:${stun.udpPort}` };
  const closedStun = { kind: 'stun' as const, id: 'closed', url: `stun:127.0.0.1:${closed}` };
  const silentStun = { kind: 'stun' as const, id: 'silent', url: `stun:127.0.0.1:${silent.port}` };
  const shapes: Shape[] = [
    { name: 'closed port only', targets: [closedStun], closedOnly: true },
    { name: 'silent socket only', targets: [silentStun] },
    { name: 'live + closed + silent', targets: [live, closedStun, silentStun] },
    {
      name: 'TURN wrong password',
      targets: [
        {
          kind: 'turn',
          id: 'turn',
          url: `turn:127.0.0.1:${coturn.port}?transport=udp`,
          username: coturn.user,
          credential: 'wrong-password',
        },
      ],
    },
  ];
  const onlyLoopback = Object.entries(networkInterfaces()).every(([name]) => name === 'lo');
  if (process.env.RTC_TRIAGE_NETNS === '1' && onlyLoopback)
    shapes.push({
      name: 'offline machine',
      // TEST-NET-1 (RFC 5737): no route here, the send fails in the kernel; no resolver answers the name
      targets: [
        { kind: 'stun', id: 'no-route', url: 'stun:192.0.2.1:3478' },
        { kind: 'stun', id: 'no-resolver', url: 'stun:stun.rtc-triage.invalid:3478' },
      ],
    });
  else console.log('offline machine: not run (needs the loopback-only namespace of scripts/run-ts.mjs)');

  const settings: Array<{ name: string; extra: Partial<ConfigInput> }> = [
    { name: 'default timeouts', extra: {} },
    { name: 'stunMs 1500 x 2', extra: { timeouts: { stunMs: 1500 }, retry: { maxAttempts: 2 } } },
  ];
  let misses = 0;
  try {
    for (const setting of settings) {
      console.log(`\n== ${setting.name}`);
      for (const shape of shapes) {
        const rows: Array<{ ms: number; floor: number; kind: string; skipped: number }> = [];
        for (let round = 0; round < ROUNDS; round++) {
          const config = parseConfig({ targets: shape.targets, ...setting.extra });
          const targets = resolveTargets(config);
          const report = await runDiagnosis({ config, targets, includeMachine: false });
          rows.push({
            ms: report.durationMs,
            floor: evidenceFloorMs(report, planJobs(targets, config.timeouts)),
            kind: report.verdict.kind,
            skipped: report.attempts.filter((a) => a.outcome === 'skipped').length,
          });
        }
        const ms = median(rows.map((r) => r.ms));
        const floor = median(rows.map((r) => r.floor));
        const ratio = ms / Math.max(floor, 1);
        const ratioOk = ratio <= RATIO_GOAL || ms - floor < 50;
        const closedOk = !shape.closedOnly || ms <= CLOSED_GOAL_MS;
        if (!ratioOk || !closedOk) misses++;
        console.log(
          `${shape.name.padEnd(24)} durationMs ${String(Math.round(ms)).padStart(6)}  evidence floor ${String(Math.round(floor)).padStart(6)}  ratio ${ratio.toFixed(2)} (goal <= ${RATIO_GOAL} or within 50 ms: ${ratioOk ? 'PASS' : 'MISS'})` +
            (shape.closedOnly ? `  <= ${CLOSED_GOAL_MS} ms: ${closedOk ? 'PASS' : 'MISS'}` : '') +
            `  verdict ${rows[0]?.kind}  skipped ${rows[0]?.skipped}`,
        );
      }
    }
  } finally {
    await silent.close();
    await stun.close();
    await coturn.stop();
  }
  console.log(
    `\n${misses === 0 ? 'PASS' : 'MISS'}: ${misses} shape(s) missed a goal (${ROUNDS} rounds each, medians)`,
  );
}

void main();
