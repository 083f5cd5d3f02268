import { z } from 'zod';
import { CallReproductionSchema, CallSchema, CallSummarySchema, MAX_CALL_DUMP_CHARS } from './calls';
import { TargetSchema } from './config';
import { HistoryReportSchema } from './history';
import { MONITOR_MAX_EVERY_MS, MONITOR_MIN_EVERY_MS, MonitorStatusSchema } from './monitor';
import { PartnerStateSchema } from './partner';
import { OutcomeSchema, ReportSchema } from './report';
import { SettingsSchema } from './settings';
import {
  AttemptPageSchema,
  AttemptTimelineSchema,
  BundleExportSchema,
  HistoryChartsSchema,
  OpenedBundleSchema,
  ServerStatusSchema,
} from './views';
import { ERROR_CODE_NAMES } from './errors';
import type { TriageEvent } from './events';
import type { MethodName } from './channels';

/** A window of history to look at: one minute to 400 days, in every face (API, IPC, CLI flags). */
export const HISTORY_WINDOW_MS = { min: 60_000, max: 400 * 86_400_000 } as const;
const windowMs = z.number().int().min(HISTORY_WINDOW_MS.min).max(HISTORY_WINDOW_MS.max);

const callId = z.string().min(1).max(64);

/** A target list as in a config file: 1–500 targets. Duplicate ids are refused by the engine. */
const ConfigTargetsSchema = z.array(TargetSchema).min(1, 'at least one target is needed').max(500);

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
  /** The scheduled-diagnosis monitor: on or off, its period, its alert episodes. */
  monitorStatus: {
    args: z.strictObject({}),
    result: MonitorStatusSchema,
  },
  /** Switches the monitor on (every `everyMs`, default 60 s) or off; answers the new status. */
  setMonitor: {
    args: z.strictObject({
      enabled: z.boolean(),
      everyMs: z.number().int().min(MONITOR_MIN_EVERY_MS).max(MONITOR_MAX_EVERY_MS).optional(),
    }),
    result: MonitorStatusSchema,
  },
  /** The settings in effect: the saved ones, or the config's timeouts/retry/concurrency and defaults. */
  getSettings: {
    args: z.strictObject({}),
    result: SettingsSchema,
  },
  saveSettings: {
    args: SettingsSchema,
    result: SettingsSchema,
  },
  /** Saves the target list a UI diagnosis tests (validated like a config file's `targets`). */
  saveTargets: {
    args: z.strictObject({ targets: ConfigTargetsSchema }),
    result: z.array(TargetSchema),
  },
  /** Forgets the saved list: back to the config file's (or the built-in) targets. */
  resetTargets: {
    args: z.strictObject({}),
    result: z.array(TargetSchema),
  },
  /** The Servers screen: every target with status, RTT p50/p95, last success and failure rate. */
  serverStatus: {
    args: z.strictObject({ sinceMs: windowMs.optional() }),
    result: ServerStatusSchema,
  },
  /** The History screen's charts: series per target and the hour-of-day × day failure heatmap. */
  historyCharts: {
    args: z.strictObject({ sinceMs: windowMs.optional(), timeZone: z.string().min(1).max(64).optional() }),
    result: HistoryChartsSchema,
  },
  /** The Attempts log, newest first, filtered; page with `before` (the last attempt shown). */
  listAttempts: {
    args: z.strictObject({
      sinceMs: windowMs.optional(),
      targetId: z.string().min(1).max(600).optional(),
      probe: z.string().min(1).max(64).optional(),
      outcome: OutcomeSchema.optional(),
      failedOnly: z.boolean().optional(),
      runId: z.string().min(1).max(64).optional(),
      limit: z.number().int().min(1).max(500).optional(),
      before: z.strictObject({ startedAt: z.iso.datetime(), id: z.string().min(1).max(64) }).optional(),
    }),
    result: AttemptPageSchema,
  },
  /** One attempt's lifecycle: its stored events in order, with its correlation id. */
  attemptTimeline: {
    args: z.strictObject({ attemptId: z.string().min(1).max(64) }),
    result: AttemptTimelineSchema,
  },
  /**
   * Opens a bundle read-only. The file comes from the face, never from the renderer: Electron's main
   * process asks with a dialog, `serve` takes the uploaded bytes. null: the user cancelled the dialog.
   */
  openBundle: {
    args: z.strictObject({}),
    result: OpenedBundleSchema.nullable(),
  },
  /** Writes a bundle of the last `sinceMs` (default 24 h); where to is the face's business, as above. */
  exportBundle: {
    args: z.strictObject({ sinceMs: windowMs.optional(), redact: z.boolean().optional() }),
    result: BundleExportSchema.nullable(),
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
  /**
   * Imports a user's call from its dump's text (docs/calls.md): chrome://webrtc-internals JSON or
   * rtcstats JSON lines, read under the same limits as the CLI's file. `name` is the file's name, for
   * display only. The ICE servers' credentials are redacted at once: the stored and answered call
   * never holds them (the engine keeps them in memory for a reproduction).
   */
  importCall: {
    args: z.strictObject({
      name: z.string().min(1).max(255),
      text: z
        .string()
        .min(1, 'the dump is empty')
        .max(
          MAX_CALL_DUMP_CHARS,
          `the dump is larger than ${MAX_CALL_DUMP_CHARS / (1024 * 1024)} MiB (${MAX_CALL_DUMP_CHARS} characters)`,
        ),
    }),
    result: CallSchema,
  },
  /** The imported calls, newest first. */
  listCalls: {
    args: z.strictObject({}),
    result: z.array(CallSummarySchema),
  },
  getCall: {
    args: z.strictObject({ callId }),
    result: CallSchema,
  },
  /**
   * Runs the isolated tests against exactly the call's ICE servers and puts the call beside them, with
   * the layer that explains it. TURN credentials: the dump's (kept in memory since the import), else a
   * saved target on the same server, else `credentials` (typed by the user; never stored).
   */
  reproduceCall: {
    args: z.strictObject({
      callId,
      credentials: z
        .array(
          z.strictObject({
            url: z.string().min(1).max(600),
            username: z.string().min(1).max(512),
            credential: z.string().min(1).max(512),
          }),
        )
        .max(64)
        .optional(),
    }),
    result: CallReproductionSchema,
  },
} as const satisfies Record<MethodName, { args: z.ZodType; result: z.ZodType }>;

export type Methods = typeof methods;
export type MethodArgs<M extends MethodName> = z.input<Methods[M]['args']>;
export type MethodResult<M extends MethodName> = z.output<Methods[M]['result']>;

/** What `window.triage` offers the renderer (and what the HTTP client offers a browser). */
export type TriageApi = { [M in MethodName]: (args: MethodArgs<M>) => Promise<MethodResult<M>> } & {
  onEvent(listener: (event: TriageEvent) => void): () => void;
  /**
   * Browser mode only: opens a bundle the user picked in the page (its bytes are uploaded to
   * `serve`). Electron has no such function: its `openBundle` asks with a dialog in main.
   */
  openBundleFile?(file: Blob): Promise<MethodResult<'openBundle'>>;
};

/** Error shape every adapter returns for a refused or failed call. */
export const CallErrorSchema = z.object({
  code: z.enum(ERROR_CODE_NAMES),
  message: z.string(),
  field: z.string().optional(),
});
export type CallError = z.infer<typeof CallErrorSchema>;

/** The answer to every call, in every face (IPC, HTTP, the engine process): one envelope. */
export type CallEnvelope = { ok: true; value: unknown } | { ok: false; error: CallError };
