import { z } from 'zod';
import { MatrixRowSchema } from './matrix';
import { ReportSchema } from './report';

/**
 * A user's real call, imported from a dump the browser wrote (issue 22, docs/calls.md): what each
 * RTCPeerConnection was given (ICE servers, never their credentials) and what it did (candidates,
 * candidate errors, state changes, the selected pair, stats), and the observations drawn from it.
 * Stored in the history as it is shown: redacted like a bundle.
 */
export const CALL_SCHEMA = 'rtc-triage/call@1' as const;

export const CALL_FORMATS = ['webrtc-internals', 'rtcstats'] as const;

/**
 * The largest dump a face uploads (the UI's import: the dump's text, decompressed by the page when it
 * was gzip): the same bound as the file the CLI reads (core/calls/read.ts DEFAULT_DUMP_LIMITS).
 */
export const MAX_CALL_DUMP_CHARS = 64 * 1024 * 1024;
export const CallFormatSchema = z.enum(CALL_FORMATS);
export type CallFormat = z.infer<typeof CallFormatSchema>;

export const CANDIDATE_TYPES = ['host', 'srflx', 'prflx', 'relay'] as const;
const count = z.number().int().min(0);

/** One ICE server as the app configured it: its URLs and whether it carried credentials (never their values). */
export const CallIceServerSchema = z.object({
  urls: z.array(z.string()),
  hasCredentials: z.boolean(),
});
export type CallIceServer = z.infer<typeof CallIceServerSchema>;

/** Candidates one server gave (`url` as Chromium names it on the candidate), by type and relay protocol. */
export const ServerCandidatesSchema = z.object({
  url: z.string(),
  types: z.record(z.string(), count),
  /** Relay candidates by the protocol to the TURN server (`udp`, `tcp`, `tls`). */
  relayProtocols: z.record(z.string(), count),
  /** Milliseconds from the start of gathering to this server's first relay candidate. */
  firstRelayMs: z.number().min(0).nullable(),
});
export type ServerCandidates = z.infer<typeof ServerCandidatesSchema>;

export const CandidateErrorSchema = z.object({
  url: z.string(),
  code: z.number().int(),
  text: z.string(),
  at: z.string(),
});
export type CandidateError = z.infer<typeof CandidateErrorSchema>;

export const StateChangeSchema = z.object({
  at: z.string(),
  /** ice: iceConnectionState; connection: connectionState; gathering: iceGatheringState. */
  of: z.enum(['ice', 'connection', 'gathering', 'signaling']),
  state: z.string(),
});
export type StateChange = z.infer<typeof StateChangeSchema>;

export const SelectedPairSchema = z.object({
  localType: z.string().nullable(),
  remoteType: z.string().nullable(),
  /** The transport of the pair (`udp`, `tcp`). */
  protocol: z.string().nullable(),
  /** For a relay local candidate: how it reaches the TURN server (`udp`, `tcp`, `tls`). */
  relayProtocol: z.string().nullable(),
  /** The ICE server the local candidate came from. */
  url: z.string().nullable(),
});
export type SelectedPair = z.infer<typeof SelectedPairSchema>;

/**
 * How the connection ended up. connected: it connected and stayed; dropped: it connected and then
 * went to disconnected/failed; failed: ICE failed before connecting; never-connected: it never got
 * as far as failing (no candidates to check, or the dump ended first).
 */
export const CallOutcomeSchema = z.enum(['connected', 'dropped', 'failed', 'never-connected']);
export type CallOutcome = z.infer<typeof CallOutcomeSchema>;

export const CallPeerConnectionSchema = z.object({
  id: z.string(),
  iceServers: z.array(CallIceServerSchema),
  iceTransportPolicy: z.string().nullable(),
  startedAt: z.string().nullable(),
  outcome: CallOutcomeSchema,
  candidates: z.array(ServerCandidatesSchema),
  /** Candidates gathered by type over every server (host candidates have no server). */
  candidateTypes: z.record(z.string(), count),
  errors: z.array(CandidateErrorSchema),
  timeline: z.array(StateChangeSchema),
  selectedPair: SelectedPairSchema.nullable(),
  /** Candidate pairs ICE tried (stats), or local × remote candidates when the dump has no pair stats. */
  pairsChecked: count,
  /** From the selected pair's stats: the newest RTT and the bytes carried. */
  rttMs: z.number().min(0).nullable(),
  bytesSent: count.nullable(),
  bytesReceived: count.nullable(),
  /** connected → disconnected/failed, in milliseconds (outcome `dropped`). */
  droppedAfterMs: z.number().min(0).nullable(),
});
export type CallPeerConnection = z.infer<typeof CallPeerConnectionSchema>;

export const OBSERVATION_KINDS = [
  'no-relay-candidate',
  'relay-only-stream',
  'server-errors',
  'slow-first-relay',
  'ice-failed',
  'connection-dropped',
  'never-connected',
  'connected',
] as const;
export const ObservationKindSchema = z.enum(OBSERVATION_KINDS);
export type ObservationKind = z.infer<typeof ObservationKindSchema>;

/** One plain sentence about the call, with what in the dump shows it. */
export const CallObservationSchema = z.object({
  kind: ObservationKindSchema,
  peerConnectionId: z.string(),
  /** The ICE server URL it is about, when it is about one. */
  url: z.string().nullable(),
  /** The candidate error code (`server-errors`). */
  code: z.number().int().nullable(),
  summary: z.string(),
  evidence: z.array(z.string()),
});
export type CallObservation = z.infer<typeof CallObservationSchema>;

export const CallSchema = z.object({
  schema: z.literal(CALL_SCHEMA),
  id: z.string(),
  format: CallFormatSchema,
  /** The dump's file name (no folder). */
  source: z.string(),
  importedAt: z.string(),
  /** When the call happened (the dump's first event), if it says. */
  startedAt: z.string().nullable(),
  userAgent: z.string().nullable(),
  outcome: CallOutcomeSchema,
  peerConnections: z.array(CallPeerConnectionSchema),
  observations: z.array(CallObservationSchema),
  /** The newest reproduction's run (its report is in the history). */
  reproducedRunId: z.string().nullable(),
});
export type Call = z.infer<typeof CallSchema>;

export const CallSummarySchema = CallSchema.pick({
  id: true,
  format: true,
  source: true,
  importedAt: true,
  startedAt: true,
  outcome: true,
  reproducedRunId: true,
}).extend({ observations: count, peerConnections: count });
export type CallSummary = z.infer<typeof CallSummarySchema>;

/**
 * Which layer explains the call, read from the tests' verdict: the network (UDP blocked, only 443,
 * a TURN relay needed), the servers, the credentials, the app (every test passes), this machine, or
 * nothing decided.
 */
export const CALL_LAYERS = ['network', 'infrastructure', 'credentials', 'app', 'machine', 'none'] as const;
export const CallLayerSchema = z.enum(CALL_LAYERS);
export type CallLayer = z.infer<typeof CallLayerSchema>;

/** One ICE server URL of the call: what the call saw beside what the tests found. */
export const SideBySideRowSchema = z.object({
  url: z.string(),
  call: z.string(),
  tests: z.string(),
  /** Both say it works, or both say it does not. */
  agree: z.boolean(),
});
export type SideBySideRow = z.infer<typeof SideBySideRowSchema>;

export const CallReproductionSchema = z.object({
  schema: z.literal('rtc-triage/call-reproduction@1'),
  call: CallSchema,
  report: ReportSchema,
  layer: CallLayerSchema,
  /** "The call failed because UDP to your TURN server is blocked on this network; TCP 3478 works." */
  verdictLine: z.string(),
  rows: z.array(SideBySideRowSchema),
  matrix: z.array(MatrixRowSchema),
  /** TURN URLs tested without the call's credentials (the dump had none and none were given). */
  withoutCredentials: z.array(z.string()),
});
export type CallReproduction = z.infer<typeof CallReproductionSchema>;
