import { parseTargetUrl, publicUrl, type Config, type Layer, type Target } from '../../contract';
import { ConfigError } from '../errors';
import type { ConfiguredTarget } from '../probes/types';

function layerOf(target: Target): Layer {
  return target.kind === 'stun' || target.kind === 'turn' ? 'L2' : 'L3';
}

/** A target whose URL (or `transports`) cannot be parsed: names the target and what is wrong. */
export class TargetUrlError extends ConfigError {
  readonly targetId: string;

  constructor(targetId: string, index: number, reason: string, field: 'url' | 'transports' = 'url') {
    super(`target "${targetId}": ${reason}`, { field: `targets.${index}.${field}` });
    this.name = 'TargetUrlError';
    this.targetId = targetId;
  }
}

/**
 * Gives every target a stable id (its own, or its public URL, prefixed with the kind for http(s) URLs),
 * its verdict layer and its parsed URL (contract/target-url.ts: the one parse every probe, check,
 * the transport matrix and the bundle read). Lab targets are layer L1 whatever their kind: they prove
 * this machine, not a server. Throws a TargetUrlError for a URL that does not parse.
 */
export function resolveTargets(
  config: Config,
  options: { lab?: boolean; taken?: Iterable<string> } = {},
): ConfiguredTarget[] {
  const used = new Set<string>(options.taken ?? []);
  return config.targets.map((target, index) => {
    // a signaling URL may carry userinfo or a token: the target is known by its public form only
    const shown = target.kind === 'gun' || target.kind === 'peerjs' ? publicUrl(target.url) : target.url;
    const base =
      target.id ?? (target.kind === 'stun' || target.kind === 'turn' ? shown : `${target.kind}:${shown}`);
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}#${n}`;
    used.add(id);
    const parsed = parseTargetUrl(target);
    if ('error' in parsed)
      throw new TargetUrlError(
        id,
        index,
        parsed.error,
        parsed.error.startsWith('transports:') ? 'transports' : 'url',
      );
    const layer = options.lab ? 'L1' : layerOf(target);
    const configured = (
      shown === target.url
        ? { ...target, id, layer, parsed }
        : { ...target, url: shown, connectUrl: target.url, id, layer, parsed }
    ) as ConfiguredTarget;
    return configured;
  });
}

/** One target with its id and layer as given, parsed as `resolveTargets` parses it (tests, the lab's own targets). */
export function configuredTarget<T extends Target>(
  target: T & { id: string; layer: Layer },
): Extract<ConfiguredTarget, { kind: T['kind'] }> {
  const { layer, ...rest } = target;
  const [configured] = resolveTargets({ targets: [rest] } as unknown as Config);
  if (!configured) throw new Error('unreachable: one target in, one out');
  return { ...configured, layer } as Extract<ConfiguredTarget, { kind: T['kind'] }>;
}
