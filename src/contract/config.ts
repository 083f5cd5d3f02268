import { z } from 'zod';
import { parseIceServerUri } from './ice-server-uri';
import { parseTransportSpec } from './matrix';
import { publicUrl } from './public-url';

function iceUrl(schemes: readonly string[]) {
  return z.string().superRefine((value, ctx) => {
    const parsed = parseIceServerUri(value);
    if ('error' in parsed) {
      ctx.addIssue({ code: 'custom', message: parsed.error });
    } else if (!schemes.includes(parsed.scheme)) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a ${schemes.join('/')}: URL, got ${parsed.scheme}:`,
      });
    }
  });
}

function httpUrl(what: string) {
  return z.string().superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: `"${publicUrl(value)}" is not a valid URL for a ${what}` });
      return;
    }
    if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) {
      ctx.addIssue({ code: 'custom', message: `a ${what} URL must start with http(s):// or ws(s)://` });
    }
    if (url.port !== '' && (Number(url.port) < 1 || Number(url.port) > 65535)) {
      ctx.addIssue({ code: 'custom', message: `port ${url.port} is out of range (1-65535)` });
    }
  });
}

const transportSpec = z.string().superRefine((value, ctx) => {
  const parsed = parseTransportSpec(value);
  if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
});

const common = { id: z.string().min(1).max(64).optional(), label: z.string().max(120).optional() };

export const StunTargetSchema = z.strictObject({
  kind: z.literal('stun'),
  url: iceUrl(['stun', 'stuns']),
  ...common,
});
/**
 * WebRTC refuses a `turn:`/`turns:` ICE server without both `username` and `credential` (a browser
 * throws InvalidAccessError; @roamhq/wrtc throws "ICE server parse failed" and then keeps the process
 * alive for ever), so the config check refuses it too and names the field.
 */
export const TurnTargetSchema = z
  .strictObject({
    kind: z.literal('turn'),
    url: iceUrl(['turn', 'turns']),
    username: z.string().max(512).optional(),
    credential: z.string().max(512).optional(),
    /**
     * The transport matrix's columns besides the URL itself (`udp`, `tcp:443`, `tls:5349`, …);
     * left out: UDP and TCP on the URL's port, TLS on 5349, TCP and TLS on 443. `[]`: the URL only.
     */
    transports: z.array(transportSpec).max(16).optional(),
    ...common,
  })
  .superRefine((target, ctx) => {
    for (const field of ['username', 'credential'] as const) {
      if (target[field] === undefined || target[field] === '') {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `a TURN server needs a ${field} (WebRTC refuses turn:/turns: URLs without username and credential)`,
        });
      }
    }
  });
export const GunTargetSchema = z.strictObject({
  kind: z.literal('gun'),
  url: httpUrl('GUN relay'),
  ...common,
});
export const PeerJsTargetSchema = z.strictObject({
  kind: z.literal('peerjs'),
  url: httpUrl('PeerJS server'),
  key: z.string().max(256).optional(),
  ...common,
});

export const TargetSchema = z.discriminatedUnion(
  'kind',
  [StunTargetSchema, TurnTargetSchema, GunTargetSchema, PeerJsTargetSchema],
  {
    error: (issue) =>
      issue.code === 'invalid_union' ? 'unknown target kind (expected stun, turn, gun or peerjs)' : undefined,
  },
);
export type Target = z.infer<typeof TargetSchema>;
export type StunTarget = z.infer<typeof StunTargetSchema>;
export type TurnTarget = z.infer<typeof TurnTargetSchema>;
export type GunTarget = z.infer<typeof GunTargetSchema>;
export type PeerJsTarget = z.infer<typeof PeerJsTargetSchema>;
export type TargetKind = Target['kind'];
export const TARGET_KINDS = ['stun', 'turn', 'gun', 'peerjs'] as const;

const ms = (max: number) => z.number().int().min(1).max(max);

export const TimeoutsSchema = z.strictObject({
  stunMs: ms(60_000).default(3000),
  iceGatheringMs: ms(120_000).default(5000),
  offerMs: ms(120_000).default(5000),
  answerMs: ms(120_000).default(5000),
  connectMs: ms(300_000).default(10000),
});

export const RetrySchema = z
  .strictObject({
    maxAttempts: z.number().int().min(1).max(20).default(5),
    baseDelayMs: z.number().int().min(0).max(600_000).default(1000),
    maxDelayMs: z.number().int().min(0).max(600_000).default(10000),
    multiplier: z.number().min(1).max(10).default(2),
    jitter: z.enum(['none', 'full']).default('full'),
  })
  .refine((r) => r.maxDelayMs >= r.baseDelayMs, {
    message: 'maxDelayMs must be >= baseDelayMs',
    path: ['maxDelayMs'],
  });

/**
 * The seed's feature flags (`gunSignalResilience`, `gunSignalTelemetry`, `gunSignalChaos`) as config
 * (docs/monitoring.md). Every field has a default, so a config without `flags` behaves as before.
 */
export const FlagsSchema = z.strictObject({
  /** Retries with backoff as `retry` says; false: every probe gets exactly one attempt. */
  resilience: z.boolean().default(true),
  /** Structured log file, Prometheus metrics and OTLP spans; false: none of them is produced. */
  telemetry: z.boolean().default(true),
  /** Fault injection for drills: a share of the attempts against servers fail on purpose. */
  chaos: z.boolean().default(false),
  /** With `chaos`: the share of server attempts (layers L2–L4) that fail with an injected timeout. */
  chaosFailureRate: z.number().min(0).max(1).default(0.3),
});

/** Trust for TLS servers (`turns:`, `stuns:`): a CA to trust besides the system store. */
export const TlsSchema = z.strictObject({
  /** A PEM file of CA certificates (a private or lab CA); relative to the config file. */
  caFile: z.string().min(1).max(4096).optional(),
});

export const ConfigSchema = z.strictObject({
  targets: z.array(TargetSchema).min(1, 'at least one target is needed').max(500),
  timeouts: TimeoutsSchema.default(TimeoutsSchema.parse({})),
  retry: RetrySchema.default(RetrySchema.parse({})),
  concurrency: z.number().int().min(1).max(64).default(8),
  flags: FlagsSchema.default(FlagsSchema.parse({})),
  tls: TlsSchema.optional(),
});

/** The config as written in a file (defaults optional). */
export type ConfigInput = z.input<typeof ConfigSchema>;
/** The config with every default filled in. */
export type Config = z.output<typeof ConfigSchema>;
export type Timeouts = Config['timeouts'];
export type RetrySettings = Config['retry'];
export type FeatureFlags = Config['flags'];
