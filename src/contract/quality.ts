import { z } from 'zod';

/**
 * Quality figures of a connected path (issue 18 item 5, docs/probes.md "Quality figures"): RTT
 * p50/p95, jitter and loss over echoed data-channel messages, and the throughput of a bounded
 * transfer, graded against published bounds so a support engineer reads "poor: loss 5 %" instead
 * of raw numbers. Pure: the report, the CLI and the UI all grade with these functions.
 */

export const QUALITY_GRADES = ['good', 'fair', 'poor', 'bad'] as const;
export const QualityGradeSchema = z.enum(QUALITY_GRADES);
export type QualityGrade = z.infer<typeof QualityGradeSchema>;

export type QualityFigure = 'rttMs' | 'jitterMs' | 'lossPct';

export interface QualityBounds {
  label: string;
  unit: 'ms' | '%';
  /** A value below `good` is good, below `fair` fair, below `poor` poor; from `poor` on it is bad. */
  good: number;
  fair: number;
  poor: number;
}

/**
 * Where the bounds come from, honestly:
 * - RTT: ITU-T G.114 (05/2003) puts one-way delay up to 150 ms as fine for most applications, up to
 *   400 ms as acceptable with care, and beyond 400 ms as unacceptable for network planning; ITU-T
 *   G.1010 (11/2001) gives the same 150 / 400 ms for conversational voice. Those are one-way,
 *   mouth-to-ear figures. What is measured here is a data channel's round trip, so applying 400 ms
 *   to it is stricter than G.114 (about 200 ms one way), which leaves room for what a real call adds
 *   (capture, codec, jitter buffer). The 100 and 250 ms steps are this project's bands within it.
 * - Jitter: common VoIP guidance (Cisco's enterprise QoS design guide for voice) targets an average
 *   one-way jitter under 30 ms. The 5 and 10 ms steps are this project's bands; no standard names
 *   them. Jitter here is the variation of round trips, not RTP's interarrival jitter (see
 *   docs/probes.md), so it is comparable in spirit, not in definition.
 * - Loss: the same Cisco guidance keeps voice loss at or under 1 %; ITU-T G.1010 gives under 3 %
 *   for conversational voice. The 8 % step, where poor ends and bad begins, is this project's choice.
 */
export const QUALITY_THRESHOLDS: Readonly<Record<QualityFigure, QualityBounds>> = {
  rttMs: { label: 'RTT p50', unit: 'ms', good: 100, fair: 250, poor: 400 },
  jitterMs: { label: 'jitter', unit: 'ms', good: 5, fair: 10, poor: 30 },
  lossPct: { label: 'loss', unit: '%', good: 1, fair: 3, poor: 8 },
};

export const QUALITY_SOURCES =
  'ITU-T G.114 and G.1010 for delay and loss, Cisco voice QoS guidance for jitter and loss';

/** The grade of one figure against its bounds. */
export function gradeFigure(figure: QualityFigure, value: number): QualityGrade {
  const bounds = QUALITY_THRESHOLDS[figure];
  if (value < bounds.good) return 'good';
  if (value < bounds.fair) return 'fair';
  if (value < bounds.poor) return 'poor';
  return 'bad';
}

export interface PathFigures {
  rttMsP50: number | null;
  jitterMs: number | null;
  lossPct: number | null;
}

const RANK: Record<QualityGrade, number> = { good: 0, fair: 1, poor: 2, bad: 3 };
const FIGURE_KEYS: ReadonlyArray<[QualityFigure, keyof PathFigures]> = [
  ['rttMs', 'rttMsP50'],
  ['jitterMs', 'jitterMs'],
  ['lossPct', 'lossPct'],
];

const withUnit = (value: number, unit: string) => (unit === '%' ? `${value} %` : `${value} ${unit}`);

/**
 * A path's grade is its worst figure's (a call is as bad as its worst problem); the words name the
 * figures that decided it. Throughput is shown but not graded: the sample is a lower bound, limited
 * by SCTP's slow start, not a bandwidth test. Null when nothing was measured.
 */
export function summarisePath(figures: PathFigures): { grade: QualityGrade | null; words: string } {
  const graded = FIGURE_KEYS.flatMap(([figure, key]) => {
    const value = figures[key];
    return typeof value === 'number' && Number.isFinite(value)
      ? [{ figure, value, grade: gradeFigure(figure, value) }]
      : [];
  });
  if (graded.length === 0) return { grade: null, words: 'not measured' };
  const worst = graded.reduce((a, b) => (RANK[b.grade] > RANK[a.grade] ? b : a)).grade;
  if (worst === 'good') return { grade: 'good', words: 'good: every figure is within the good bounds' };
  const reasons = graded
    .filter((g) => g.grade === worst)
    .map(({ figure, value, grade }) => {
      const bounds = QUALITY_THRESHOLDS[figure];
      const from = grade === 'fair' ? bounds.good : grade === 'poor' ? bounds.fair : bounds.poor;
      return `${bounds.label} ${withUnit(value, bounds.unit)} is ${grade} (≥ ${withUnit(from, bounds.unit)})`;
    });
  return { grade: worst, words: `${worst}: ${reasons.join(', ')}` };
}

/** The bounds in one line, for the CLI and the UI's caption. */
export function qualityThresholdsText(): string {
  const bands = Object.values(QUALITY_THRESHOLDS).map(
    (b) => `${b.label} <${b.good} / <${b.fair} / <${b.poor} ${b.unit}`,
  );
  return `Thresholds, good / fair / poor (beyond: bad): ${bands.join('; ')}. Sources: ${QUALITY_SOURCES}.`;
}

export const QUALITY_PATHS = ['host', 'srflx', 'relay'] as const;
export type QualityPath = (typeof QUALITY_PATHS)[number];

export const PathQualitySchema = z.object({
  targetId: z.string(),
  probe: z.string(),
  path: z.enum(QUALITY_PATHS),
  rttMsP50: z.number().nullable(),
  rttMsP95: z.number().nullable(),
  jitterMs: z.number().nullable(),
  lossPct: z.number().nullable(),
  throughputKbps: z.number().nullable(),
  /** Null when the path connected but none of RTT, jitter and loss was measured. */
  grade: QualityGradeSchema.nullable(),
  /** `summarisePath`'s words: the grade and the figures that decided it. */
  summary: z.string(),
});
export type PathQuality = z.infer<typeof PathQualitySchema>;

/**
 * The probes whose successful attempts are connected data-channel paths: the in-process sessions
 * (core/probes/peer-connection.ts) and the partner test's sessions (core/partner). Named here, not
 * imported: the contract depends on nothing of the engine.
 */
export const QUALITY_PROBES: readonly string[] = ['peer-connection', 'partner-session'];

/** What pathQualityOf reads of an attempt (a report's attempt, or a partner table's row). */
export interface QualitySource {
  probe: string;
  targetId: string;
  outcome: string;
  metrics: Record<string, number | string | boolean | null>;
}

const num = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

/**
 * One row per connected path (target, probe, path): the newest successful attempt's figures. An
 * attempt stored before these figures existed has only `echoRttP50Ms`, which stands in for the p50.
 */
export function pathQualityOf(attempts: readonly QualitySource[]): PathQuality[] {
  const rows = new Map<string, PathQuality>();
  for (const attempt of attempts) {
    const m = attempt.metrics;
    const path = QUALITY_PATHS.find((p) => p === m.path);
    if (attempt.outcome !== 'success' || !QUALITY_PROBES.includes(attempt.probe) || !path) continue;
    const figures = {
      rttMsP50: num(m.rttMsP50) ?? num(m.echoRttP50Ms),
      rttMsP95: num(m.rttMsP95),
      jitterMs: num(m.jitterMs),
      lossPct: num(m.lossPct),
    };
    const { grade, words } = summarisePath(figures);
    rows.set(`${attempt.targetId}\n${attempt.probe}\n${path}`, {
      targetId: attempt.targetId,
      probe: attempt.probe,
      path,
      ...figures,
      throughputKbps: num(m.throughputKbps),
      grade,
      summary: words,
    });
  }
  return [...rows.values()].sort(
    (a, b) =>
      QUALITY_PATHS.indexOf(a.path) - QUALITY_PATHS.indexOf(b.path) ||
      a.targetId.localeCompare(b.targetId) ||
      a.probe.localeCompare(b.probe),
  );
}
