import { publicUrl, type Config, type Layer, type Target } from '../../contract';
import type { ConfiguredTarget } from '../probes/types';

function layerOf(target: Target): Layer {
  return target.kind === 'stun' || target.kind === 'turn' ? 'L2' : 'L3';
}

/**
 * Gives every target a stable id (its own, or its public URL, prefixed with the kind for http(s) URLs)
 * and its verdict layer. Lab targets are layer L1 whatever their kind: they prove this machine, not a server.
 */
export function resolveTargets(
  config: Config,
  options: { lab?: boolean; taken?: Iterable<string> } = {},
): ConfiguredTarget[] {
  const used = new Set<string>(options.taken ?? []);
  return config.targets.map((target) => {
    // a signaling URL may carry userinfo or a token: the target is known by its public form only
    const shown = target.kind === 'gun' || target.kind === 'peerjs' ? publicUrl(target.url) : target.url;
    const base =
      target.id ?? (target.kind === 'stun' || target.kind === 'turn' ? shown : `${target.kind}:${shown}`);
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}#${n}`;
    used.add(id);
    const layer = options.lab ? 'L1' : layerOf(target);
    return shown === target.url
      ? { ...target, id, layer }
      : { ...target, url: shown, connectUrl: target.url, id, layer };
  });
}
