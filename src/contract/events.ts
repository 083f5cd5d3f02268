import { z } from 'zod';

/**
 * Structured event names, as in the seed's telemetry plan. Probes emit these with the attempt's
 * correlation id; they go to the store, the JSON log and the UI.
 */
export const EVENT_NAMES = [
  'run.started',
  'run.finished',
  'attempt.started',
  'attempt.finished',
  'attempt.state',
  'stun.dns.resolved',
  'stun.binding.sent',
  'stun.binding.retransmit',
  'stun.binding.received',
  'stun.binding.malformed',
  'stun.binding.error',
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
] as const;
export type EventName = (typeof EVENT_NAMES)[number];

export const TriageEventSchema = z.object({
  name: z.string(),
  at: z.string(),
  runId: z.string(),
  attemptId: z.string().optional(),
  correlationId: z.string().optional(),
  targetId: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type TriageEvent = z.infer<typeof TriageEventSchema>;
