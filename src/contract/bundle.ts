import { z } from 'zod';
import { CallSchema, type Call } from './calls';
import { HistoryTargetSchema } from './history';
import { AttemptReportSchema, PatternSchema, TargetReportSchema, VerdictSchema } from './report';

/** A diagnostic bundle: one zip a user attaches to a support ticket (docs/bundles.md). */
export const BUNDLE_FORMAT = 'rtc-triage/bundle@1' as const;

/** The files of a bundle, by name. Anything else in the zip is ignored (but still checked for safety). */
export const BUNDLE_FILES = {
  manifest: 'manifest.json',
  config: 'config.json',
  runs: 'runs.ndjson',
  targets: 'targets.ndjson',
  attempts: 'attempts.ndjson',
  events: 'events.ndjson',
  verdict: 'verdict.json',
  patterns: 'patterns.json',
  environment: 'environment.json',
  /** The recent part of the JSON log (bundles before this file existed open with no logs). */
  logs: 'logs.ndjson',
  /** Calls imported in the window (docs/calls.md); bundles before this file existed open with none. */
  calls: 'calls.ndjson',
} as const;

/** One line of calls.ndjson: an imported call as stored (redacted, no credentials). */
export const BundleCallSchema = CallSchema;

const count = z.number().int().min(0);

export const BundleManifestSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  /** Random id of this bundle; tells two bundles of the same user apart in a comparison. */
  bundleId: z.string().min(1).max(64),
  appVersion: z.string(),
  createdAt: z.string(),
  /** Start of the exported window (ISO 8601). */
  since: z.string(),
  redacted: z.boolean(),
  os: z.object({ platform: z.string(), arch: z.string(), release: z.string(), type: z.string() }),
  runtime: z.object({
    node: z.string(),
    electron: z.string().nullable(),
    chrome: z.string().nullable(),
    /** `@roamhq/wrtc` (libwebrtc for Node), from its package.json. */
    wrtc: z.string().nullable(),
  }),
  counts: z.object({
    runs: count,
    targets: count,
    attempts: count,
    events: count,
    calls: count.optional(),
  }),
  files: z.array(z.string()),
  /** The log lines taken: how many, whether older lines of the window were cut to stay within the cap. */
  logs: z.object({ lines: count, truncated: z.boolean(), skipped: count, maxBytes: count }).optional(),
});
export type BundleManifest = z.infer<typeof BundleManifestSchema>;

/** A configured target with its secrets taken out; `secretsRemoved` names the fields that were there. */
export const BundleConfigTargetSchema = z.object({
  kind: z.string(),
  url: z.string(),
  id: z.string().optional(),
  label: z.string().optional(),
  /** The PeerJS key when it is the public default (`peerjs`); any other key is a secret and removed. */
  key: z.string().optional(),
  /** A TURN target's transport matrix columns as configured (contract/matrix.ts). */
  transports: z.array(z.string()).optional(),
  secretsRemoved: z.array(z.string()).optional(),
});
export const BundleConfigSchema = z.object({
  /** false when the export had no config to hand (only the history). */
  present: z.boolean(),
  targets: z.array(BundleConfigTargetSchema),
  timeouts: z.record(z.string(), z.number()).optional(),
  retry: z.record(z.string(), z.union([z.number(), z.string()])).optional(),
  concurrency: z.number().optional(),
  /** The config's `tls`: the private CA file trusted for turns:/stuns: servers (its path). */
  tls: z.object({ caFile: z.string().optional() }).optional(),
});
export type BundleConfig = z.infer<typeof BundleConfigSchema>;

export const BundleRunSchema = z.object({
  id: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  source: z.string(),
  verdictKind: z.string().nullable(),
});
export type BundleRun = z.infer<typeof BundleRunSchema>;

export const BundleTargetSchema = z.object({
  id: z.string(),
  kind: z.string(),
  url: z.string(),
  layer: z.string().nullable(),
  firstSeen: z.string(),
  lastSeen: z.string(),
});
export type BundleTarget = z.infer<typeof BundleTargetSchema>;

export const BundleAttemptSchema = AttemptReportSchema.extend({ runId: z.string() });
export type BundleAttempt = z.infer<typeof BundleAttemptSchema>;

export const BundleEventSchema = z.object({
  id: z.number().int(),
  attemptId: z.string(),
  name: z.string(),
  at: z.string(),
  data: z.record(z.string(), z.unknown()).nullable(),
});
export type BundleEvent = z.infer<typeof BundleEventSchema>;

/**
 * One line of the JSON log (pino): its time, level and message, then whatever the line carries
 * (event, runId, correlationId, targetId, data…), redacted like every other file.
 */
export const BundleLogLineSchema = z
  .object({
    time: z.union([z.string(), z.number()]),
    level: z.union([z.string(), z.number()]),
    msg: z.string().optional(),
  })
  .loose();
export type BundleLogLine = z.infer<typeof BundleLogLineSchema>;

/** The verdicts known at export time: the newest diagnosis, and the history analysis of the window. */
export const BundleVerdictSchema = z.object({
  lastReport: z
    .object({
      runId: z.string(),
      finishedAt: z.string(),
      verdict: VerdictSchema,
      targets: z.array(TargetReportSchema),
    })
    .nullable(),
  history: z
    .object({
      since: z.string(),
      until: z.string(),
      verdict: VerdictSchema,
      /** The history report's note (which is newer and why); absent in bundles made before it. */
      note: z.string().nullable().default(null),
      targets: z.array(HistoryTargetSchema),
    })
    .nullable(),
  /** A verdict the caller passed in (e.g. the UI's current one). */
  given: VerdictSchema.nullable(),
});
export type BundleVerdict = z.infer<typeof BundleVerdictSchema>;

/**
 * The one verdict a bundle shows (`core/bundle/answer.ts`): which of its stored verdicts it is, and,
 * when the newest diagnosis read differently, a sentence saying which is newer and why this one stands.
 */
export const BundleAnswerSchema = z.object({
  verdict: VerdictSchema,
  from: z.enum(['history', 'newest-run', 'given']),
  source: z.string(),
  note: z.string().nullable(),
});
export type BundleAnswer = z.infer<typeof BundleAnswerSchema>;

export const BundlePatternsSchema = z.object({
  lastReport: z.array(PatternSchema),
  history: z.array(PatternSchema),
  given: z.array(PatternSchema).nullable(),
});
export type BundlePatterns = z.infer<typeof BundlePatternsSchema>;

export const BundleInterfaceSchema = z.object({
  name: z.string(),
  family: z.string(),
  address: z.string(),
  prefixLength: z.number().int().nullable(),
  internal: z.boolean(),
  vpnHint: z.boolean(),
});
export const BundleEnvironmentSchema = z.object({
  interfaces: z.array(BundleInterfaceSchema),
  /** Proxy variables (HTTP_PROXY, NO_PROXY…), credentials always removed. */
  proxies: z.record(z.string(), z.string()),
  /** Interface names that look like a VPN or tunnel (tun, tap, wg, utun, ppp…). */
  vpnHints: z.array(z.string()),
});
export type BundleEnvironment = z.infer<typeof BundleEnvironmentSchema>;

/** A bundle as `inspect` reads it: every file validated, nothing written anywhere. */
export interface Bundle {
  manifest: BundleManifest;
  config: BundleConfig;
  runs: BundleRun[];
  targets: BundleTarget[];
  attempts: BundleAttempt[];
  events: BundleEvent[];
  verdict: BundleVerdict;
  patterns: BundlePatterns;
  environment: BundleEnvironment;
  logs: BundleLogLine[];
  calls: Call[];
}

/** One server as seen from one bundle (one user's network). */
export const BundleServerViewSchema = z.object({
  bundle: z.string(),
  bundleId: z.string(),
  createdAt: z.string(),
  status: z.enum(['up', 'degraded', 'down', 'untested']),
  /** Where the status comes from: the newest diagnosis in the bundle, or its attempts. */
  statusFrom: z.enum(['last-report', 'attempts', 'none']),
  attempts: count,
  failures: count,
  lastAttemptAt: z.string().nullable(),
  vpnHints: z.array(z.string()),
  proxy: z.boolean(),
});
export const BundleComparisonSchema = z.object({
  schema: z.literal('rtc-triage/bundle-comparison@1'),
  bundles: z.array(z.object({ bundle: z.string(), bundleId: z.string(), createdAt: z.string() })),
  servers: z.array(
    z.object({
      url: z.string(),
      kind: z.string(),
      views: z.array(BundleServerViewSchema),
      /** `everywhere-down`, `some-networks`, `everywhere-up` or `mixed` (untested somewhere). */
      summary: z.enum(['everywhere-up', 'everywhere-down', 'some-networks', 'mixed']),
    }),
  ),
});
export type BundleComparison = z.infer<typeof BundleComparisonSchema>;
export type BundleServerView = z.infer<typeof BundleServerViewSchema>;
