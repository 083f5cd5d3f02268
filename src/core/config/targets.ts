import type { Config, Layer, Target } from '../../contract';
import type { ConfiguredTarget } from '../probes/types';

function layerOf(target: Target): Layer {
  return target.kind === 'stun' || target.kind === 'turn' ? 'L2' : 'L3';
}

/**
 * Gives every target a stable id (its own, or its URL, prefixed with the kind for http(s) URLs) and
 * its verdict layer. Lab targets are layer L1 whatever their kind: they prove this machine, not a server.
 */
export function resolveTargets(
  config: Config,
  options: { lab?: boolean; taken?: Iterable<string> } = {},
): ConfiguredTarget[] {
  const used = new Set<string>(options.taken ?? []);
  return config.targets.map((target) => {
    const base =
      target.id ??
      (target.kind === 'stun' || target.kind === 'turn' ? target.url : `${target.kind}:${target.url}`);
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}#${n}`;
    used.add(id);
    return { ...target, id, layer: options.lab ? 'L1' : layerOf(target) };
  });
}
