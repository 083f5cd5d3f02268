import { z } from 'zod';
import { TARGET_KINDS } from './config';

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

export const VerdictSchema = z.object({
  kind: VerdictKindSchema,
  local: PathResultSchema,
  crossNetwork: PathResultSchema,
  confidence: z.number().min(0).max(1),
  title: z.string(),
  message: z.string(),
  action: z.string(),
  evidence: z.array(EvidenceSchema),
});
export type Verdict = z.infer<typeof VerdictSchema>;

export const TargetStatusSchema = z.enum(['up', 'degraded', 'down', 'untested']);
export type TargetStatus = z.infer<typeof TargetStatusSchema>;

/** Verdict layers (DESIGN.md §2): L1 the embedded lab, L2 STUN/TURN, L3 signaling. */
export const LayerSchema = z.enum(['L0', 'L1', 'L2', 'L3', 'L4']);
export type Layer = z.infer<typeof LayerSchema>;

export const TargetReportSchema = z.object({
  id: z.string(),
  kind: z.enum(TARGET_KINDS),
  layer: LayerSchema,
  url: z.string(),
  status: TargetStatusSchema,
  rttMs: z.object({ p50: z.number(), p95: z.number() }).nullable(),
});
export type TargetReport = z.infer<typeof TargetReportSchema>;

export const OUTCOMES = ['success', 'timeout', 'error', 'aborted'] as const;
export const OutcomeSchema = z.enum(OUTCOMES);
export type Outcome = z.infer<typeof OutcomeSchema>;

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
});
export type AttemptReport = z.infer<typeof AttemptReportSchema>;

export const PatternSchema = z.object({
  kind: z.string(),
  scope: z.string(),
  summary: z.string(),
  evidence: z.array(EvidenceSchema),
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
  cleanup: CleanupSchema,
});
export type Report = z.infer<typeof ReportSchema>;
