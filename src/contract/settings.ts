import { z } from 'zod';
import { RetrySchema, TimeoutsSchema } from './config';

/** A monitor that runs a diagnosis every `everyMs` while `enabled` (the monitor reads it; the UI edits it). */
export const ScheduleSchema = z.strictObject({
  enabled: z.boolean().default(false),
  everyMs: z
    .number()
    .int()
    .min(10_000, 'the interval must be at least 10 s')
    .max(86_400_000, 'the interval must be at most 24 h')
    .default(60_000),
});
export type Schedule = z.output<typeof ScheduleSchema>;

export const DEFAULT_RETENTION_DAYS = 90;

/**
 * What the Settings screen edits: the engine's timeouts, retry policy and concurrency (the config
 * file's fields of the same names and limits), how long history is kept, whether exports are
 * redacted by default, and the monitor's schedule. Stored with the history (docs/ui.md).
 */
export const SettingsSchema = z.strictObject({
  timeouts: TimeoutsSchema.default(TimeoutsSchema.parse({})),
  retry: RetrySchema.default(RetrySchema.parse({})),
  concurrency: z.number().int().min(1).max(64).default(8),
  /** History older than this many days is pruned; 0 keeps everything. */
  retentionDays: z.number().int().min(0).max(3650).default(DEFAULT_RETENTION_DAYS),
  /** Whether an export from the UI is redacted unless the user says otherwise (docs/bundles.md). */
  redactExports: z.boolean().default(true),
  schedule: ScheduleSchema.default(ScheduleSchema.parse({})),
});
export type SettingsInput = z.input<typeof SettingsSchema>;
export type Settings = z.output<typeof SettingsSchema>;

/** Where the target list the UI shows (and a UI diagnosis tests) comes from. */
export const TargetSourceSchema = z.enum(['saved', 'config']);
export type TargetSource = z.infer<typeof TargetSourceSchema>;
