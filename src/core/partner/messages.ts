/**
 * What the two testers say to each other, inside sealed frames, through a signaling server. Every
 * frame names its sender and receiver and carries a per-sender sequence number: a relay may send a
 * frame twice (GUN answers a subscription with what it holds) or out of order, and a frame sealed
 * for one direction must not be accepted in the other.
 */
import { z } from 'zod';
import { ErrorClassSchema } from '../../contract';
import { PartnerPathSchema } from '../../contract/partner';

/** `host`, or the joiner's random id (hex). */
export const PeerNameSchema = z.string().regex(/^(host|[0-9a-f]{16})$/);

export const SignalSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sdp'), type: z.enum(['offer', 'answer']), sdp: z.string().max(64_000) }),
  z.object({
    kind: z.literal('ice'),
    candidate: z.string().max(2000),
    sdpMid: z.string().max(64).nullable(),
    sdpMLineIndex: z.number().int().min(0).max(64).nullable(),
  }),
]);
export type PeerSignal = z.infer<typeof SignalSchema>;

const PlannedPathSchema = z.object({
  index: z.number().int().min(0).max(64),
  path: z.enum(['host', 'srflx', 'relay']),
  server: z.string().max(512).nullable(),
  /** Set when the host already knows the path cannot run (e.g. only one side lists that TURN server). */
  skip: z.string().max(500).nullable(),
});
export type PlannedPath = z.infer<typeof PlannedPathSchema>;

export const BodySchema = z.discriminatedUnion('t', [
  /**
   * joiner → host. `turn`: the TURN URLs in the joiner's config (never credentials); `nat`: whether
   * a NAT is in front of it; `stun`: whether it has a STUN server over UDP (a reflexive address).
   */
  z.object({
    t: z.literal('join'),
    turn: z.array(z.string().max(512)).max(32),
    nat: z.enum(['nat', 'none', 'unknown']),
    stun: z.boolean(),
  }),
  /** host → joiner: paired; the plan of sessions to run, in order. */
  z.object({ t: z.literal('welcome'), plan: z.array(PlannedPathSchema).max(40) }),
  /** host → a joiner that came too late. */
  z.object({ t: z.literal('refused'), reason: z.enum(['used', 'expired']) }),
  /** either side, about once a second while paired: silence means the partner is gone. */
  z.object({ t: z.literal('alive') }),
  z.object({ t: z.literal('path-start'), index: z.number().int().min(0).max(64) }),
  z.object({ t: z.literal('signal'), index: z.number().int().min(0).max(64), signal: SignalSchema }),
  /** either side: this path failed on my end (the host then publishes the result). */
  z.object({
    t: z.literal('path-abort'),
    index: z.number().int().min(0).max(64),
    errorClass: ErrorClassSchema,
    stage: z.string().max(40),
    message: z.string().max(1000),
    /** What the side had when it failed (its candidates, `peerHostLost`): the row carries it as a host failure's would. */
    metrics: z
      .record(z.string().max(64), z.union([z.number(), z.string().max(500), z.boolean(), z.null()]))
      .refine((metrics) => Object.keys(metrics).length <= 32, 'at most 32 metrics')
      .optional(),
  }),
  /** host → joiner: one row of the shared table. */
  z.object({ t: z.literal('path-result'), path: PartnerPathSchema }),
  /** host → joiner: every path ran; the joiner answers `bye`. */
  z.object({ t: z.literal('done') }),
  /** either side leaves: after `done`, or when cancelled. */
  z.object({ t: z.literal('bye'), reason: z.enum(['done', 'cancelled']) }),
]);
export type Body = z.infer<typeof BodySchema>;

export const FrameSchema = z.object({
  v: z.literal(1),
  from: PeerNameSchema,
  to: PeerNameSchema,
  seq: z.number().int().min(0).max(1_000_000),
  body: BodySchema,
});
export type Frame = z.infer<typeof FrameSchema>;

/** The frame in a plaintext, or null when it is not a well-formed one. */
export function parseFrame(plaintext: string): Frame | null {
  try {
    const parsed = FrameSchema.safeParse(JSON.parse(plaintext));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
