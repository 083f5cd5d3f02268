import type {
  EmitFn,
  ErrorClass,
  GunTarget,
  Layer,
  MetricValueSchema,
  ParsedIceTarget,
  ParsedSignalingTarget,
  ParsedTarget,
  PeerJsTarget,
  StunTarget,
  Target,
  Timeouts,
  TurnTarget,
} from '../../contract';
import type { z } from 'zod';
import type { LedgerScope } from '../ledger/ledger';
import type { LookupFn } from './lookup';

export type MetricValue = z.infer<typeof MetricValueSchema>;
export type Metrics = Record<string, MetricValue>;

/**
 * A configured target with its resolved, stable id and the verdict layer it belongs to. `url` is the
 * public form (contract/secrets.ts) that every report, row, log line and screen shows; only a probe
 * that connects reads `connectUrl(target)`, the URL as configured (userinfo, tokens and all).
 */
export type ConfiguredTarget =
  | Configured<StunTarget, ParsedIceTarget>
  | Configured<TurnTarget, ParsedIceTarget>
  | Configured<GunTarget, ParsedSignalingTarget>
  | Configured<PeerJsTarget, ParsedSignalingTarget>;

/** `parsed`: the URL parsed once, when the targets were loaded (contract/target-url.ts). */
type Configured<T extends Target, P extends ParsedTarget> = T & {
  id: string;
  layer: Layer;
  connectUrl?: string;
  parsed: P;
};

/** The URL to open a connection to: as configured, secrets included. Never shown or stored. */
export function connectUrl(target: { url: string; connectUrl?: string }): string {
  return target.connectUrl ?? target.url;
}

/**
 * This machine itself, as the target of the probes that need no server (L0: two peers in one
 * process over host candidates). One per diagnosis.
 */
export interface MachineTarget {
  kind: 'machine';
  id: 'local-machine';
  url: 'local:machine';
  layer: 'L0';
}
export const MACHINE_TARGET: MachineTarget = {
  kind: 'machine',
  id: 'local-machine',
  url: 'local:machine',
  layer: 'L0',
};

export type ResolvedTarget = ConfiguredTarget | MachineTarget;

/** Everything a probe may use; it opens resources only through `resources` so cleanup is certain. */
export interface ProbeContext {
  readonly signal: AbortSignal;
  readonly resources: LedgerScope;
  readonly timeouts: Timeouts;
  readonly correlationId: string;
  readonly attempt: number;
  readonly lookup: LookupFn;
  /** PEM of the CA the config's `tls.caFile` names, trusted besides the system store (TLS STUN/TURN). */
  readonly tlsCa?: string | null;
  /** Every target of this diagnosis (a probe may need another one, e.g. a TURN server for a relay path). */
  readonly targets: ReadonlyArray<ResolvedTarget>;
  /** Emits a structured event (`stun.binding.sent`, …) tagged with this attempt's correlation id. */
  emit: EmitFn;
  /** Marks the stage the attempt is in, so a timeout or failure names where it stopped. */
  stage(name: string): void;
}

export interface ProbeSuccess {
  stage: string;
  metrics: Metrics;
}

/** A classified failure. Anything else a probe throws is classified by the runner. */
export class ProbeFailure extends Error {
  constructor(
    readonly errorClass: ErrorClass,
    readonly stage: string,
    message: string,
    readonly metrics: Metrics = {},
  ) {
    super(message);
    this.name = 'ProbeFailure';
  }
}

/**
 * Thrown when a probe finds, once running, that the target offers nothing to test (e.g. a reflexive
 * path with no NAT in between). The runner records no attempt, only an `attempt.skipped` event.
 */
export class ProbeNotApplicable extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'ProbeNotApplicable';
  }
}

/** A probe: one file, one function of this shape. */
export interface Probe<T extends ResolvedTarget = ResolvedTarget> {
  readonly name: string;
  /** Target kinds this probe runs against. */
  readonly kinds: ReadonlyArray<T['kind']>;
  /** Narrows `kinds` further (e.g. UDP-only STUN); a target it refuses is simply not probed. */
  appliesTo?(target: T): boolean;
  /** The longest a single attempt may take with these timeouts (the runner's safety net adds a margin). */
  deadlineMs(timeouts: Timeouts): number;
  /**
   * How long a successful attempt typically takes on a healthy network, for scheduling only: the runner
   * starts the longest jobs first. Left out by quick probes (a few round trips), which then run after.
   */
  readonly expectedMs?: number;
  /** Opens RTCPeerConnections: runs in a peer host when the engine has them (`core/isolation`). */
  readonly usesWebRtc?: boolean;
  /** One attempt per run whatever it finds: the probe surveys many paths itself (the transport matrix). */
  readonly once?: boolean;
  /**
   * The probe on the same server this one needs (by name): it starts when that one succeeded and is
   * recorded as `skipped` at once when that one failed (docs/probes.md, "The probe plan").
   */
  needs?(target: T): string;
  run(target: T, context: ProbeContext): Promise<ProbeSuccess>;
}

export type { ErrorClass };
