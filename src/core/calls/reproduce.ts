import { iceServerKey, parseIceServerUri, type Call, type Config, type Target } from '../../contract';
import { parseConfig } from '../config/load';
import { TriageError } from '../errors';
import type { DumpIceServer } from './dump';
import type { ReproductionPlan } from './import';

/** TURN credentials for one URL, from wherever they came (the dump, a config, the user). */
export interface TurnCredentials {
  username: string;
  credential: string;
}

export interface ReproductionSources {
  /** The in-memory plan from the import (the dump's own credentials), when this process imported it. */
  plan?: ReproductionPlan | null;
  /** A config whose TURN targets lend their credentials to the same server, and whose timeouts/retry apply. */
  config?: Config | null;
  /** Asked last, for each TURN URL still without credentials (a prompt, a form); null: none given. */
  ask?: (url: string) => Promise<TurnCredentials | null>;
}

export interface ReproductionConfig {
  config: Config;
  /** The call's TURN URLs that had no credentials anywhere: not tested (WebRTC refuses them too). */
  withoutCredentials: string[];
}

/**
 * The config that tests exactly the call's ICE servers: one STUN/TURN target per distinct URL, TURN
 * with the dump's credentials when it had them, else those of a config target on the same server
 * (host and port), else what `ask` answers. Timeouts, retry and TLS trust come from the given config.
 */
export async function reproductionConfig(
  call: Call,
  sources: ReproductionSources,
): Promise<ReproductionConfig> {
  const servers: DumpIceServer[] = sources.plan?.iceServers.length
    ? sources.plan.iceServers
    : call.peerConnections.flatMap((pc) => pc.iceServers.map((s) => ({ urls: s.urls })));
  const configured = new Map<string, TurnCredentials>();
  for (const target of sources.config?.targets ?? [])
    if (target.kind === 'turn' && target.username && target.credential)
      configured.set(iceServerKey(target.url), { username: target.username, credential: target.credential });

  const targets: Target[] = [];
  const withoutCredentials: string[] = [];
  const seen = new Set<string>();
  for (const server of servers) {
    for (const url of server.urls) {
      const parsed = parseIceServerUri(url);
      if ('error' in parsed || seen.has(url)) continue;
      seen.add(url);
      if (parsed.scheme === 'stun' || parsed.scheme === 'stuns') {
        targets.push({ kind: 'stun', url });
        continue;
      }
      const own =
        server.username && server.credential
          ? { username: server.username, credential: server.credential }
          : null;
      const credentials = own ?? configured.get(iceServerKey(url)) ?? (await sources.ask?.(url)) ?? null;
      if (!credentials) {
        withoutCredentials.push(url);
        continue;
      }
      targets.push({ kind: 'turn', url, ...credentials });
    }
  }
  if (targets.length === 0) {
    throw new TriageError(
      'ARGUMENT_INVALID',
      withoutCredentials.length
        ? `reproduce: the call's TURN servers (${withoutCredentials.join(', ')}) need credentials, and the dump has none: give a config (--config FILE) with a turn target on the same server, or enter them when asked`
        : 'reproduce: the call lists no STUN or TURN server to test',
      { field: 'credentials' },
    );
  }
  const base = sources.config;
  return {
    config: parseConfig(
      {
        targets,
        ...(base ? { timeouts: base.timeouts, retry: base.retry, concurrency: base.concurrency } : {}),
        ...(base?.tls ? { tls: base.tls } : {}),
        ...(base ? { flags: base.flags } : {}),
      },
      'reproduction',
    ),
    withoutCredentials,
  };
}
