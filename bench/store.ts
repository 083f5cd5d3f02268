/**
 * npm run bench:store — the history store's two goals, printed with PASS/MISS (never asserted):
 * ingest ≥ 50,000 attempts/s in batched transactions, and a full pattern analysis of 1,000,000
 * attempts spanning 30 days in ≤ 250 ms. Usage: npm run bench:store [-- ATTEMPTS]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AttemptReport, Layer, Target } from '../src/contract';
import { historyReport } from '../src/core/analysis/history-verdict';
import { HistoryStore, type IngestAttempt } from '../src/core/store/history';
import { timeOrderedId } from '../src/core/store/ids';

const GOALS = { ingestPerSecond: 50_000, analysisMs: 250 };
const TOTAL = Number(process.argv[2] ?? 1_000_000);
const DAYS = 30;
const TZ = 'Europe/Berlin';

const targets: Array<Target & { id: string; layer: Layer }> = [
  { id: 'stun-a', kind: 'stun', url: 'stun:stun-a.test:3478', layer: 'L2' },
  { id: 'stun-b', kind: 'stun', url: 'stun:stun-b.test:3478', layer: 'L2' },
  { id: 'turn-a', kind: 'turn', url: 'turn:turn-a.test:3478', layer: 'L2' },
  { id: 'gun-a', kind: 'gun', url: 'https://gun-a.test/gun', layer: 'L3' },
  { id: 'peerjs-a', kind: 'peerjs', url: 'https://peerjs-a.test/peerjs', layer: 'L3' },
];
const round = [
  ['stun-a', 'stun-binding', {}],
  ['stun-b', 'stun-binding', {}],
  ['turn-a', 'turn-allocation', {}],
  ['turn-a', 'peer-connection', { path: 'relay' }],
  ['gun-a', 'gun-signaling', {}],
  ['peerjs-a', 'peerjs-signaling', {}],
  ['local-machine', 'peer-connection', { path: 'host' }],
] as const;

const end = Date.parse('2026-06-30T12:00:00Z');
const start = end - DAYS * 86_400_000;
const rounds = Math.ceil(TOTAL / round.length);
const every = Math.floor((end - start) / rounds);
const RUN_EVERY = 10;

// Deterministic noise (mulberry32) so every run of the bench stores the same history.
let seed = 42;
const random = () => {
  seed |= 0;
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const hourUtc = (at: number) => new Date(at).getUTCHours();
/** A nightly maintenance window, 22:00–07:00 UTC (00:00–09:00 in Berlin), on every fifth night. */
const inOutage = (at: number) => {
  const day = Math.floor((at + 2 * 3_600_000) / 86_400_000);
  const h = hourUtc(at);
  return day % 5 === 0 && (h >= 22 || h < 7);
};

function* attempts(): Generator<IngestAttempt> {
  let n = 0;
  for (let r = 0; r < rounds && n < TOTAL; r++) {
    const at = start + r * every;
    const runId = `run-${Math.floor(r / RUN_EVERY)}`;
    for (const [targetId, probe, metrics] of round) {
      if (n++ >= TOTAL) return;
      const local = targetId === 'local-machine';
      const ok = local ? random() > 0.001 : !inOutage(at) && random() > 0.02;
      const attempt: AttemptReport = {
        // Time-ordered UUIDs (v7), stamped with the attempt's time; RANDOM_IDS=1 uses v4 instead.
        id: process.env.RANDOM_IDS ? randomUUID() : timeOrderedId(at),
        correlationId: randomUUID(),
        probe,
        targetId,
        attempt: 1,
        outcome: ok ? 'success' : 'timeout',
        stage: ok ? 'done' : 'connect',
        errorClass: ok ? null : 'timeout',
        errorMessage: ok ? null : 'no answer within 10 s',
        startedAt: new Date(at).toISOString(),
        durationMs: ok ? 40 + Math.round(random() * 80) : 10_000,
        metrics: { ...metrics, rttMs: ok ? 42 : null },
      };
      yield { runId, attempt };
    }
  }
}

const dir = process.env.BENCH_DIR ?? mkdtempSync(join(tmpdir(), 'rtc-triage-bench-'));
const file = join(dir, 'history.db');
try {
  const store = HistoryStore.open(file, { retentionDays: 0 });
  store.beginRun('setup', new Date(start), 'bench', targets);
  const insertRun = store.database.prepare('INSERT INTO runs (id, started_at, source) VALUES (?, ?, ?)');
  store.database.transaction(() => {
    for (let r = 0; r < rounds; r += RUN_EVERY)
      insertRun.run(`run-${r / RUN_EVERY}`, start + r * every, 'bench');
  })();

  // Only the store's work is timed: each batch of 10,000 is built first, then ingested.
  let stored = 0;
  let ingestMs = 0;
  let batch: IngestAttempt[] = [];
  const ingest = () => {
    const t0 = performance.now();
    stored += store.ingest(batch, batch.length);
    ingestMs += performance.now() - t0;
    batch = [];
  };
  for (const row of attempts()) {
    batch.push(row);
    if (batch.length === 10_000) ingest();
  }
  if (batch.length) ingest();
  const ingestS = ingestMs / 1000;
  const perSecond = stored / ingestS;
  store.database.pragma('optimize');

  const timings: number[] = [];
  let report = historyReport(store.queries, { from: start, to: end, timeZone: TZ });
  for (let i = 0; i < 5; i++) {
    const t1 = performance.now();
    report = historyReport(store.queries, { from: start, to: end, timeZone: TZ });
    timings.push(performance.now() - t1);
  }
  timings.sort((a, b) => a - b);
  const median = timings[Math.floor(timings.length / 2)] as number;
  const count = (kind: string) => report.patterns.filter((p) => p.kind === kind).length;
  const mark = (ok: boolean) => (ok ? 'PASS' : 'MISS');

  console.log(
    `history store benchmark: ${stored.toLocaleString('en')} attempts over ${DAYS} days, ${targets.length} servers + local; attempt ids ${process.env.RANDOM_IDS ? 'random (UUIDv4)' : 'time-ordered (UUIDv7)'}`,
  );
  console.log(
    `ingest    ${Math.round(perSecond).toLocaleString('en')} attempts/s (${ingestS.toFixed(1)} s, batches of 10,000; WAL, synchronous=FULL)  goal ≥ ${GOALS.ingestPerSecond.toLocaleString('en')}/s  ${mark(perSecond >= GOALS.ingestPerSecond)}  (${(perSecond / GOALS.ingestPerSecond).toFixed(2)}× goal)`,
  );
  console.log(
    `analysis  ${median.toFixed(1)} ms median of 5 (min ${(timings[0] as number).toFixed(1)}, max ${(timings.at(-1) as number).toFixed(1)})  goal ≤ ${GOALS.analysisMs} ms  ${mark(median <= GOALS.analysisMs)}  (${(median / GOALS.analysisMs).toFixed(2)}× budget)`,
  );
  console.log(
    `found     ${count('outage')} outages, ${count('recurring-window')} recurring window(s) ${report.patterns.find((p) => p.kind === 'recurring-window')?.window ?? ''}, ${count('failure-rate')} failure-rate episodes, ${count('flapping')} flapping, ${count('consecutive-failures')} streaks; verdict ${report.verdict.kind}`,
  );
  store.close();

  // Opening runs PRAGMA quick_check (a damaged page is refused at open): what that costs on this history.
  const opens = (readonly: boolean) => {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      HistoryStore.open(file, { retentionDays: 0, readonly }).close();
      times.push(performance.now() - t);
    }
    return times.sort((a, b) => a - b)[1] as number;
  };
  const megabytes = statSync(file).size / 1024 / 1024;
  const openRw = opens(false);
  const openRo = opens(true);
  console.log(
    `open      ${openRw.toFixed(1)} ms read-write, ${openRo.toFixed(1)} ms read-only (median of 3, quick_check of ${megabytes.toFixed(0)} MB included; ${(openRw / median).toFixed(2)}× one analysis)`,
  );
} finally {
  if (!process.env.BENCH_DIR) rmSync(dir, { recursive: true, force: true });
}
