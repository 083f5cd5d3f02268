import { z } from 'zod';

/**
 * Structured event names, as in the seed's telemetry plan. Probes emit these with the attempt's
 * correlation id; they go to the store, the JSON log and the UI.
 */
export const EVENT_NAMES = [
  'run.started',
  'run.finished',
  // servers that only timed out on a lossy network, tested once more (runner/second-look.ts)
  'run.second-look',
  'attempt.started',
  'attempt.finished',
  'attempt.state',
  'stun.dns.resolved',
  'stun.binding.sent',
  'stun.binding.retransmit',
  'stun.binding.received',
  'stun.binding.malformed',
  'stun.binding.error',
  'stun.reply.malformed',
  // TURN allocations (probes/turn-allocation.ts, probes/turn/*) and the transport matrix
  'turn.allocate.challenge',
  'turn.allocate.stale-nonce',
  'turn.allocate.mismatch-retry',
  'turn.allocate.success',
  'turn.refresh.released',
  'turn.matrix.measured',
  // TLS servers (turns:, stuns:): a certificate about to expire
  'tls.certificate.expiring',
  // NAT behaviour discovery (RFC 5780, probes/nat-behavior.ts)
  'nat.test',
  'nat.mapping',
  'nat.filtering',
  'signal.offer.sent',
  'signal.offer.received',
  'signal.answer.sent',
  'signal.answer.received',
  'signal.answer.timeout',
  'signal.retry',
  'signal.teardown.success',
  'signal.teardown.failure',
  'ice.gathering.started',
  'ice.candidate',
  'ice.gathering.complete',
  'peer.connected',
  'peer.echo.completed',
  'signal.server.connected',
  'signal.offer.timeout',
  // the signaling servers' own wire (probes/signaling/*)
  'gun.connected',
  'gun.frame.garbage',
  'peerjs.open',
  'peerjs.id',
  'attempt.retry',
  'attempt.skipped',
  'chaos.fault.injected',
  'monitor.started',
  'monitor.cycle',
  'monitor.alert',
  'monitor.recovered',
  'monitor.stopped',
  // the remote partner test (docs/partner.md)
  'partner.started',
  'partner.waiting',
  'partner.join.sent',
  'partner.paired',
  'partner.rtt',
  'partner.path.finished',
  'partner.finished',
  // the engine process (core/engine/supervisor.ts), said by the face that supervises it
  'engine.crashed',
  'engine.restarted',
  // a peer host that left resources of a probe open (core/isolation)
  'peer-host.leaked',
] as const;
/** An event's name: emitting one not in EVENT_NAMES does not compile (tests/contract/events.test.ts). */
export type EventName = (typeof EVENT_NAMES)[number];

/** The data of the main events, as every emitter writes and every reader (telemetry, UI) may rely on. */
export interface EventDataByName {
  'attempt.started': { probe: string; attempt: number; targetUrl: string; kind?: string };
  /** `from -> to` of the attempt lifecycle (runner/attempt-state.ts). */
  'attempt.state': { transition: string };
  'attempt.skipped': { reason: string | null; probe?: string; needs?: string };
  'run.started': { targets: number; flags?: { resilience: boolean; chaos: boolean } };
  'run.second-look': { targets: string[] };
  'engine.crashed': { reason: string; restarting: boolean };
  'engine.restarted': { pid: number | null };
  'peer-host.leaked': { resources: number };
}
/** What `emit(name, data)` takes: the declared shape for the main events, any record for the others. */
export type EventData<N extends EventName> = N extends keyof EventDataByName
  ? EventDataByName[N]
  : Record<string, unknown>;

/** An emitter as probes, attempts and the engine's faces get it. */
export type EmitFn = <N extends EventName>(name: N, data?: EventData<N>) => void;

export const TriageEventSchema = z.object({
  name: z.enum(EVENT_NAMES),
  at: z.string(),
  runId: z.string(),
  attemptId: z.string().optional(),
  correlationId: z.string().optional(),
  targetId: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type TriageEvent = z.infer<typeof TriageEventSchema>;

/** An emitter that adds `extra` to every event's data (the transport matrix names the cell an event is from). */
export function emitWith(emit: EmitFn, extra: Record<string, unknown>): EmitFn {
  const tagged = (name: EventName, data?: Record<string, unknown>) =>
    emit(name, { ...extra, ...data } as EventData<EventName>);
  return tagged as EmitFn;
}
