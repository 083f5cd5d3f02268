import { z } from 'zod';
import { TARGET_KINDS } from './config';
import { CELL_TRANSPORTS, MatrixRowSchema } from './matrix';
import { PathQualitySchema } from './quality';

export const VERDICT_KINDS = [
  'healthy',
  'app-suspect',
  'infrastructure-outage',
  'partial-outage',
  'network-restricted',
  'local-environment',
  'offline',
  'inconclusive',
] as const;
export const VerdictKindSchema = z.enum(VERDICT_KINDS);
export type VerdictKind = z.infer<typeof VerdictKindSchema>;

export const PathResultSchema = z.enum(['pass', 'fail', 'untested']);
export type PathResult = z.infer<typeof PathResultSchema>;

export const EvidenceSchema = z.object({
  attemptId: z.string().optional(),
  targetId: z.string().optional(),
  summary: z.string(),
});
export type Evidence = z.infer<typeof EvidenceSchema>;

/**
 * What the transport matrix found when it decided the verdict (analysis/transport-verdict.ts): which
 * restriction, and the columns that got through. Read by whoever words the verdict for something else
 * (an imported call), so nothing re-reads the matrix to decide it again.
 */
export const TRANSPORT_RESTRICTIONS = ['udp-blocked', 'only-443', 'ipv6-only', 'tls-intercepted'] as const;
export const TransportRestrictionSchema = z.object({
  restriction: z.enum(TRANSPORT_RESTRICTIONS),
  working: z.array(z.object({ transport: z.enum(CELL_TRANSPORTS), port: z.number().int() })),
});
export type TransportRestriction = z.infer<typeof TransportRestrictionSchema>;

/** One service at a glance; `not-configured`: no server of its kind was in the run. */
export const SERVICE_HEALTH = ['online', 'degraded', 'offline', 'untested', 'not-configured'] as const;
export const ServiceHealthSchema = z.enum(SERVICE_HEALTH);
export type ServiceHealth = z.infer<typeof ServiceHealthSchema>;
export const ServicesSchema = z.object({
  p2p: ServiceHealthSchema,
  signaling: ServiceHealthSchema,
  network: ServiceHealthSchema,
});
export type Services = z.infer<typeof ServicesSchema>;

export const VerdictSchema = z.object({
  kind: VerdictKindSchema,
  local: PathResultSchema,
  crossNetwork: PathResultSchema,
  confidence: z.number().min(0).max(1),
  title: z.string(),
  message: z.string(),
  action: z.string(),
  evidence: z.array(EvidenceSchema),
  /** Only when the transport matrix decided the verdict. */
  transports: TransportRestrictionSchema.optional(),
  /**
   * P2P / signaling / network, decided with the verdict (analysis/services.ts). Absent in reports
   * stored before it existed.
   */
  services: ServicesSchema.optional(),
});
export type Verdict = z.infer<typeof VerdictSchema>;

export const TargetStatusSchema = z.enum(['up', 'degraded', 'down', 'untested']);
export type TargetStatus = z.infer<typeof TargetStatusSchema>;

/** Verdict layers (DESIGN.md §2): L1 the embedded lab, L2 STUN/TURN, L3 signaling. */
export const LayerSchema = z.enum(['L0', 'L1', 'L2', 'L3', 'L4']);
export type Layer = z.infer<typeof LayerSchema>;

export const TargetReportSchema = z.object({
  id: z.string(),
  /** `machine` is this machine itself: the target of the L0 probes. */
  kind: z.enum([...TARGET_KINDS, 'machine']),
  layer: LayerSchema,
  url: z.string(),
  status: TargetStatusSchema,
  rttMs: z.object({ p50: z.number(), p95: z.number() }).nullable(),
});
export type TargetReport = z.infer<typeof TargetReportSchema>;

/**
 * `skipped`: the attempt was not made because the probe it needs (its prerequisite on the same
 * server) failed; its `stage` names the prerequisite and its message says what the prerequisite
 * hit. Like `aborted` it is no evidence of its own: it counts neither as a success nor a failure.
 */
export const OUTCOMES = ['success', 'timeout', 'error', 'aborted', 'skipped'] as const;
export const OutcomeSchema = z.enum(OUTCOMES);
export type Outcome = z.infer<typeof OutcomeSchema>;

/** Whether an attempt was made to its end: aborted and skipped ones are no evidence either way. */
export function attemptRan(attempt: { outcome: string }): boolean {
  return attempt.outcome !== 'aborted' && attempt.outcome !== 'skipped';
}

/**
 * Why an attempt failed, in classes a support engineer can act on. `null` on success.
 * dns: the name did not resolve; refused: connection refused or ICMP port unreachable;
 * unreachable: no route / network down; timeout: no answer in time; malformed-reply: the server
 * answered something that is not a valid reply; server-error: a valid error response; aborted: cancelled.
 */
export const ERROR_CLASSES = [
  'dns',
  'refused',
  'unreachable',
  'timeout',
  'malformed-reply',
  'server-error',
  'tls',
  'aborted',
  'internal',
] as const;
export const ErrorClassSchema = z.enum(ERROR_CLASSES);
export type ErrorClass = z.infer<typeof ErrorClassSchema>;

export const MetricValueSchema = z.union([z.number(), z.string(), z.boolean(), z.null()]);
export const AttemptReportSchema = z.object({
  id: z.string(),
  correlationId: z.string(),
  probe: z.string(),
  targetId: z.string(),
  attempt: z.number().int().min(1),
  outcome: OutcomeSchema,
  stage: z.string(),
  errorClass: ErrorClassSchema.nullable(),
  errorMessage: z.string().nullable(),
  startedAt: z.string(),
  durationMs: z.number().min(0),
  metrics: z.record(z.string(), MetricValueSchema),
  /**
   * The layer this attempt proves (evidence/layers.ts `attemptLayer`), decided once when it is made
   * and stored with it, so the report, the history, a bundle and every screen name the same layer.
   * Absent in reports and bundles made before it was recorded.
   */
  layer: LayerSchema.optional(),
});
export type AttemptReport = z.infer<typeof AttemptReportSchema>;

export const PatternSchema = z.object({
  /** failure-rate, outage, consecutive-failures, recurring-window, flapping. */
  kind: z.string(),
  /** `target:<id>`, `kind:<stun|turn|gun|peerjs>`, `everything` (every external server), `local`, `cross-network-path`. */
  scope: z.string(),
  summary: z.string(),
  evidence: z.array(EvidenceSchema),
  /** failure-rate: `likely-outage` (>80% of >10 attempts in 30 min) or `alert` (>20% over 10 min). */
  level: z.enum(['likely-outage', 'alert', 'info']).optional(),
  /** Start and end of what was seen (ISO 8601); `to` is absent while it is still going on. */
  from: z.string().optional(),
  to: z.string().optional(),
  failureRate: z.number().min(0).max(1).optional(),
  attempts: z.number().int().min(0).optional(),
  failures: z.number().int().min(0).optional(),
  /** outage: from the first success after the outage until every server of its scope answered again. */
  recoveryMs: z.number().min(0).optional(),
  /** recurring-window: local time of day, e.g. `00:00–09:00`, in `timeZone`, and the local dates seen. */
  window: z.string().optional(),
  dates: z.array(z.string()).optional(),
  timeZone: z.string().optional(),
  /** consecutive-failures: the streak length; flapping: the number of up/down changes. */
  count: z.number().int().min(0).optional(),
});
export type Pattern = z.infer<typeof PatternSchema>;

export const CleanupSchema = z.object({
  opened: z.number().int().min(0),
  released: z.number().int().min(0),
  leaked: z.number().int().min(0),
});
export type Cleanup = z.infer<typeof CleanupSchema>;

export const REPORT_SCHEMA = 'rtc-triage/report@1' as const;
export const ReportSchema = z.object({
  schema: z.literal(REPORT_SCHEMA),
  runId: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number().min(0),
  verdict: VerdictSchema,
  targets: z.array(TargetReportSchema),
  attempts: z.array(AttemptReportSchema),
  patterns: z.array(PatternSchema),
  quality: z.array(PathQualitySchema).optional(), // per connected path (contract/quality.ts), from `attempts`
  /** Each TURN server over UDP/TCP/TLS × IPv4/IPv6 (contract/matrix.ts); derived from `attempts`. */
  matrix: z.array(MatrixRowSchema).default([]),
  cleanup: CleanupSchema,
});
export type Report = z.infer<typeof ReportSchema>;
