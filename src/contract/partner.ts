import { z } from 'zod';
import {
  CleanupSchema,
  ErrorClassSchema,
  MetricValueSchema,
  PathResultSchema,
  VerdictSchema,
} from './report';
import { PartnerReachSchema } from './reach';

/**
 * The remote partner test (issue #11, DESIGN.md §2 L4): two testers on different networks meet
 * through a signaling server with a short code and run the same minimal sessions over the real path
 * between them. `rtc-triage partner --json` prints one object of this schema as its last line.
 */
export const PARTNER_SCHEMA = 'rtc-triage/partner@1' as const;

export { normalizePartnerCode, PARTNER_CODE_PATTERN, PARTNER_CODE_TTL_MS } from './partner-code';

export const PartnerRoleSchema = z.enum(['host', 'join']);
export type PartnerRole = z.infer<typeof PartnerRoleSchema>;

/** The three sessions, in the order they run: host candidates only, reflexive only, relay only. */
export const PartnerPathKindSchema = z.enum(['host', 'srflx', 'relay']);
export type PartnerPathKind = z.infer<typeof PartnerPathKindSchema>;

export const PartnerPathOutcomeSchema = z.enum(['success', 'timeout', 'error', 'aborted', 'skipped']);
export type PartnerPathOutcome = z.infer<typeof PartnerPathOutcomeSchema>;

/** One session of the plan, as both sides see it (the host measures and tells the joiner). */
export const PartnerPathSchema = z.object({
  index: z.number().int().min(0),
  path: PartnerPathKindSchema,
  /** The TURN server of a relay path (its URL, never its credentials); null otherwise. */
  server: z.string().nullable(),
  outcome: PartnerPathOutcomeSchema,
  stage: z.string(),
  errorClass: ErrorClassSchema.nullable(),
  /** Plain words: why it failed or was skipped; null on success. */
  message: z.string().nullable(),
  durationMs: z.number().min(0),
  /**
   * rttMsP50 / rttMsP95 / rttMsMax / jitterMs (data-channel pings), burstSent / burstReceived / lossPct (a short burst on
   * an unreliable channel), throughputKbps (a bulk transfer on the reliable one), timeToConnectMs,
   * localCandidateType / remoteCandidateType, sameNetwork (the peers reached each other's private
   * addresses).
   */
  metrics: z.record(z.string(), MetricValueSchema),
});
export type PartnerPath = z.infer<typeof PartnerPathSchema>;

/** What the paths prove about the cross-network path, and which one worked. */
export const PartnerCrossNetworkSchema = z.object({
  result: PathResultSchema,
  /** direct: host or reflexive addresses across networks; relay: only through TURN; null: none worked. */
  path: z.enum(['direct', 'relay']).nullable(),
  /** true: direct failed while a relay worked (this network needs TURN); null: not decided. */
  needsTurn: z.boolean().nullable(),
  /** true when the two testers reached each other's private addresses (one network, or a VPN). */
  sameNetwork: z.boolean(),
  summary: z.string(),
});
export type PartnerCrossNetwork = z.infer<typeof PartnerCrossNetworkSchema>;

export const PartnerStatusSchema = z.enum([
  /** every path of the plan ran (whatever their outcomes) */
  'completed',
  /** the partner vanished mid-test (closed, crashed, lost its network) */
  'partner-lost',
  /** host: nobody joined before the code expired */
  'expired',
  /** join: the code is unknown, expired or already used */
  'code-rejected',
  /** no signaling server could be reached */
  'unreachable',
  'cancelled',
]);
export type PartnerStatus = z.infer<typeof PartnerStatusSchema>;

export const PartnerRendezvousSchema = z.object({
  targetId: z.string(),
  kind: z.enum(['gun', 'peerjs']),
  url: z.string(),
  outcome: z.enum(['success', 'timeout', 'error', 'aborted', 'not-found']),
  errorClass: ErrorClassSchema.nullable(),
  message: z.string().nullable(),
  durationMs: z.number().min(0),
});
export type PartnerRendezvous = z.infer<typeof PartnerRendezvousSchema>;

export const PartnerResultSchema = z.object({
  schema: z.literal(PARTNER_SCHEMA),
  role: PartnerRoleSchema,
  /** Shared by both sides: every attempt either side stores carries it as its correlation id. */
  correlationId: z.string(),
  /** This side's run in its own history. */
  runId: z.string(),
  status: PartnerStatusSchema,
  /** Why the test ended as it did, in plain words. */
  message: z.string(),
  /** code-rejected: why. */
  codeProblem: z.enum(['not-found', 'expired', 'used']).nullable(),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number().min(0),
  /** The signaling server the pair met through; null when they never met. */
  pairedVia: z.object({ targetId: z.string(), kind: z.enum(['gun', 'peerjs']), url: z.string() }).nullable(),
  rendezvous: z.array(PartnerRendezvousSchema),
  /** The shared result table: identical on both sides. */
  paths: z.array(PartnerPathSchema),
  crossNetwork: PartnerCrossNetworkSchema,
  verdict: VerdictSchema.nullable(),
  cleanup: CleanupSchema,
});
export type PartnerResult = z.infer<typeof PartnerResultSchema>;

/** `partner --host --json`'s first line, and what `partnerHost` answers. */
export const PartnerCodeSchema = z.object({ code: z.string(), expiresAt: z.string() });
export type PartnerCode = z.infer<typeof PartnerCodeSchema>;

/** A partner test as the UI follows it (`partnerStatus`). */
export const PartnerStateSchema = z.object({
  active: z.boolean(),
  role: PartnerRoleSchema.nullable(),
  /** waiting: the host shows its code; pairing: the joiner looks for the host; testing: paths run. */
  phase: z.enum(['idle', 'waiting', 'pairing', 'testing', 'finished']),
  code: z.string().nullable(),
  expiresAt: z.string().nullable(),
  /** The paths finished so far (the full table once finished). */
  paths: z.array(PartnerPathSchema),
  result: PartnerResultSchema.nullable(),
  /** Whether a partner on another network can use the configured servers (contract/reach.ts). */
  reach: PartnerReachSchema,
});
export type PartnerState = z.infer<typeof PartnerStateSchema>;
