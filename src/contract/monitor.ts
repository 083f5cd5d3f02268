import { z } from 'zod';
import { VerdictKindSchema } from './report';

/** Shortest and longest monitor period a face may ask for (the CLI's `--every`, the desktop switch). */
export const MONITOR_MIN_EVERY_MS = 1000;
export const MONITOR_MAX_EVERY_MS = 86_400_000;
export const MONITOR_DEFAULT_EVERY_MS = 60_000;

/**
 * One alert episode of the monitor: raised once when a condition has held for enough consecutive
 * cycles, recovered once when it has been clear for enough consecutive cycles (docs/monitoring.md).
 */
export const MonitorAlertSchema = z.object({
  /** What the episode is about: `target:<id>` (a server down), `cleanup:leaked`, `monitor:diagnosis-failed`. */
  key: z.string(),
  state: z.enum(['alerting', 'recovered']),
  title: z.string(),
  message: z.string(),
  targetId: z.string().optional(),
  /** The first bad cycle of the episode (ISO 8601). */
  since: z.string(),
  raisedAt: z.string(),
  recoveredAt: z.string().optional(),
  /** The diagnosis that raised (or recovered) it. */
  runId: z.string().optional(),
});
export type MonitorAlert = z.infer<typeof MonitorAlertSchema>;

export const MonitorStatusSchema = z.object({
  enabled: z.boolean(),
  everyMs: z.number().int().min(1),
  /** Diagnoses the monitor has run since it was switched on. */
  cycles: z.number().int().min(0),
  lastRunAt: z.string().nullable(),
  nextRunAt: z.string().nullable(),
  lastVerdict: VerdictKindSchema.nullable(),
  /** Episodes going on now. */
  active: z.array(MonitorAlertSchema),
  /** The latest alerts and recoveries, newest first (at most 20). */
  recent: z.array(MonitorAlertSchema),
});
export type MonitorStatus = z.infer<typeof MonitorStatusSchema>;
