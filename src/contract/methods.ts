import { z } from 'zod';
import { TargetSchema } from './config';
import { HistoryReportSchema } from './history';
import { PartnerStateSchema } from './partner';
import { ReportSchema } from './report';
import type { TriageEvent } from './events';
import type { MethodName } from './channels';

/**
 * The one method table between the UI and the engine. The Electron IPC adapter (main + preload) and
 * the HTTP adapter (`rtc-triage serve`) are both generated from it; the engine side validates every
 * argument with `args` before the service sees it.
 */
export const methods = {
  runDiagnosis: {
    args: z.strictObject({ appFailing: z.boolean().optional() }),
    result: ReportSchema,
  },
  cancelDiagnosis: {
    args: z.strictObject({ runId: z.string().min(1).max(64) }),
    result: z.object({ cancelled: z.boolean() }),
  },
  lastReport: {
    args: z.strictObject({}),
    result: ReportSchema.nullable(),
  },
  listTargets: {
    args: z.strictObject({}),
    result: z.array(TargetSchema),
  },
  appInfo: {
    args: z.strictObject({}),
    result: z.object({ version: z.string(), dbPath: z.string(), configSource: z.string(), face: z.string() }),
  },
  /** Patterns and the overall verdict over the last `sinceMs` of stored history (default 24 h). */
  history: {
    args: z.strictObject({
      sinceMs: z
        .number()
        .int()
        .min(60_000)
        .max(400 * 86_400_000)
        .optional(),
      timeZone: z.string().min(1).max(64).optional(),
      appFailing: z.boolean().optional(),
    }),
    result: HistoryReportSchema,
  },
  /** The remote partner test, host side: starts it and answers once the code can be shown. */
  partnerHost: {
    args: z.strictObject({
      codeTtlMs: z
        .number()
        .int()
        .min(1000)
        .max(60 * 60_000)
        .optional(),
    }),
    result: PartnerStateSchema,
  },
  /** Joins the partner behind a code; answers at once, then `partnerStatus` and `partner.*` events follow it. */
  partnerJoin: {
    args: z.strictObject({ code: z.string().min(1).max(40) }),
    result: PartnerStateSchema,
  },
  partnerCancel: {
    args: z.strictObject({}),
    result: z.object({ cancelled: z.boolean() }),
  },
  /** The running (or last) partner test: phase, code, the rows so far, the result. */
  partnerStatus: {
    args: z.strictObject({}),
    result: PartnerStateSchema,
  },
} as const satisfies Record<MethodName, { args: z.ZodType; result: z.ZodType }>;

export type Methods = typeof methods;
export type MethodArgs<M extends MethodName> = z.input<Methods[M]['args']>;
export type MethodResult<M extends MethodName> = z.output<Methods[M]['result']>;

/** What `window.triage` offers the renderer (and what the HTTP client offers a browser). */
export type TriageApi = { [M in MethodName]: (args: MethodArgs<M>) => Promise<MethodResult<M>> } & {
  onEvent(listener: (event: TriageEvent) => void): () => void;
};

/** Error shape every adapter returns for a refused or failed call. */
export const CallErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  field: z.string().optional(),
});
export type CallError = z.infer<typeof CallErrorSchema>;
