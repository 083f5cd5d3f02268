import { z } from 'zod';
import {
  BundleAnswerSchema,
  BundleAttemptSchema,
  BundleConfigSchema,
  BundleEnvironmentSchema,
  BundleManifestSchema,
  BundlePatternsSchema,
  BundleTargetSchema,
  BundleVerdictSchema,
} from './bundle';
import { MatrixRowSchema } from './matrix';
import { AttemptReportSchema, LayerSchema, TargetStatusSchema } from './report';
import { TargetSourceSchema } from './settings';

/**
 * What the UI's screens read, shaped for them by the engine (src/core/views): the Servers table,
 * the History charts, the Attempts log and timeline, an opened bundle and an export's result.
 */

const count = z.number().int().min(0);
const rtt = z.object({ p50: z.number(), p95: z.number() }).nullable();

/** One row of the Servers screen: a target with its health over the window (default 24 h). */
export const ServerRowSchema = z.object({
  id: z.string(),
  kind: z.string(),
  url: z.string(),
  label: z.string().nullable(),
  layer: LayerSchema,
  /** Index in the saved/configured target list (the editor's row); null for the embedded lab's targets. */
  configIndex: z.number().int().min(0).nullable(),
  /** From the newest diagnosis that tested it; `untested` when none did. */
  status: TargetStatusSchema,
  statusAt: z.string().nullable(),
  rttMs: rtt,
  lastSuccessAt: z.string().nullable(),
  attempts: count,
  failures: count,
  /** failures / attempts over the window; null without attempts. */
  failureRate: z.number().min(0).max(1).nullable(),
});
export type ServerRow = z.infer<typeof ServerRowSchema>;

export const ServerStatusSchema = z.object({
  since: z.string(),
  until: z.string(),
  /** `saved`: the list edited in the UI; `config`: the config file's (or the built-in) list. */
  source: TargetSourceSchema,
  servers: z.array(ServerRowSchema),
  /** The TURN servers' transport matrix in the newest diagnosis (contract/matrix.ts). */
  matrix: z.array(MatrixRowSchema).default([]),
});
export type ServerStatus = z.infer<typeof ServerStatusSchema>;

export const SeriesPointSchema = z.object({
  /** Start of the step (ISO 8601). */
  at: z.string(),
  attempts: count,
  failures: count,
  /** Median round-trip time of the successful attempts in the step that measured one. */
  rttP50: z.number().nullable(),
});
export type SeriesPoint = z.infer<typeof SeriesPointSchema>;

export const TargetSeriesSchema = z.object({
  targetId: z.string(),
  kind: z.string(),
  url: z.string(),
  layer: LayerSchema,
  points: z.array(SeriesPointSchema),
});
export type TargetSeries = z.infer<typeof TargetSeriesSchema>;

/** Attempts and failures of every target in one local hour of one local day. */
export const HeatmapCellSchema = z.object({
  date: z.string(),
  hour: z.number().int().min(0).max(23),
  attempts: count,
  failures: count,
});
export type HeatmapCell = z.infer<typeof HeatmapCellSchema>;

export const HistoryChartsSchema = z.object({
  since: z.string(),
  until: z.string(),
  timeZone: z.string(),
  /** Width of one series point. */
  stepMs: z.number().int().min(1),
  series: z.array(TargetSeriesSchema),
  /** Every local date of the window, oldest first; cells only where attempts ran. */
  heatmap: z.object({ dates: z.array(z.string()), cells: z.array(HeatmapCellSchema) }),
});
export type HistoryCharts = z.infer<typeof HistoryChartsSchema>;

export const LoggedAttemptSchema = AttemptReportSchema.extend({
  runId: z.string(),
  layer: LayerSchema,
  targetUrl: z.string(),
  targetKind: z.string(),
});
export type LoggedAttempt = z.infer<typeof LoggedAttemptSchema>;

export const AttemptPageSchema = z.object({
  attempts: z.array(LoggedAttemptSchema),
  /** More attempts match: ask again with `before` set to the last one. */
  hasMore: z.boolean(),
  /** What the filters can choose from, over the window. */
  facets: z.object({
    targets: z.array(z.object({ id: z.string(), url: z.string() })),
    probes: z.array(z.string()),
  }),
});
export type AttemptPage = z.infer<typeof AttemptPageSchema>;

export const TimelineEventSchema = z.object({
  name: z.string(),
  at: z.string(),
  /** Milliseconds since the attempt started. */
  offsetMs: z.number(),
  data: z.record(z.string(), z.unknown()).nullable(),
});
export type TimelineEvent = z.infer<typeof TimelineEventSchema>;

export const AttemptTimelineSchema = z.object({
  attempt: LoggedAttemptSchema,
  events: z.array(TimelineEventSchema),
});
export type AttemptTimeline = z.infer<typeof AttemptTimelineSchema>;

/** A bundle opened read-only for the UI: nothing of it enters the local history. */
export const OpenedBundleSchema = z.object({
  fileName: z.string(),
  manifest: BundleManifestSchema,
  config: BundleConfigSchema,
  verdict: BundleVerdictSchema,
  /** The one verdict to show (null: none was stored). */
  answer: BundleAnswerSchema.nullable(),
  patterns: BundlePatternsSchema,
  environment: BundleEnvironmentSchema,
  runs: count,
  targets: z.array(
    BundleTargetSchema.extend({ attempts: count, failures: count, status: TargetStatusSchema.nullable() }),
  ),
  /** Newest first, at most `OPENED_BUNDLE_MAX_ATTEMPTS`; `attemptsTotal` says how many the bundle holds. */
  attempts: z.array(BundleAttemptSchema),
  attemptsTotal: count,
  /** The TURN servers' transport matrix as the bundle's attempts show it (contract/matrix.ts). */
  matrix: z.array(MatrixRowSchema).default([]),
});
export type OpenedBundle = z.infer<typeof OpenedBundleSchema>;
export const OPENED_BUNDLE_MAX_ATTEMPTS = 500;

export const BundleExportSchema = z.object({
  fileName: z.string(),
  /** Where Electron saved it (the path the user chose). */
  savedTo: z.string().nullable(),
  /** In a browser: the same-origin URL the bundle downloads from, once. */
  download: z.string().nullable(),
  since: z.string(),
  redacted: z.boolean(),
  counts: z.object({ runs: count, targets: count, attempts: count, events: count }),
});
export type BundleExport = z.infer<typeof BundleExportSchema>;
