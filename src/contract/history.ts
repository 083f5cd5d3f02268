import { z } from 'zod';
import { LayerSchema, PatternSchema, VerdictSchema } from './report';

export const HISTORY_SCHEMA = 'rtc-triage/history@1' as const;

export const HistoryTargetSchema = z.object({
  id: z.string(),
  kind: z.string(),
  layer: LayerSchema,
  attempts: z.number().int().min(0),
  failures: z.number().int().min(0),
  failureRate: z.number().min(0).max(1),
});
export type HistoryTarget = z.infer<typeof HistoryTargetSchema>;

/** `rtc-triage history --json`: the patterns and the overall verdict over a window of stored history. */
export const HistoryReportSchema = z.object({
  schema: z.literal(HISTORY_SCHEMA),
  since: z.string(),
  until: z.string(),
  timeZone: z.string(),
  attempts: z.number().int().min(0),
  failures: z.number().int().min(0),
  targets: z.array(HistoryTargetSchema),
  patterns: z.array(PatternSchema),
  verdict: VerdictSchema,
  /**
   * When the stored pattern and the newest run read the state differently: which is newer and why
   * the verdict follows it (null when they agree).
   */
  note: z.string().nullable(),
});
export type HistoryReport = z.infer<typeof HistoryReportSchema>;
