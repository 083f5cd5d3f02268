import {
  hostOfUrl,
  PUBLIC_PEERJS_KEY,
  publicUrl,
  targetSecrets,
  urlHasSecret,
  type BundleConfig,
  type Config,
} from '../../contract';
import type { Redactor } from './redact';

/** Every secret value of the config (contract/secrets.ts): scrubbed from every bundle file, whatever `redact` says. */
export function configuredSecrets(config: Config | null): string[] {
  return (config?.targets ?? []).flatMap(targetSecrets);
}

/** The host part of each target URL, as the user configured it. */
export function configuredHosts(targets: ReadonlyArray<{ url: string }>): string[] {
  const hosts: string[] = [];
  for (const { url } of targets) {
    // not a server URL (e.g. `local:machine`): nothing to keep
    const host = hostOfUrl(url);
    if (host !== null) hosts.push(host);
  }
  return hosts;
}

/** The config without secrets: TURN usernames and credentials, non-default PeerJS keys, secrets inside URLs. */
export function bundleConfig(config: Config | null, redactor: Redactor): BundleConfig {
  if (!config) return { present: false, targets: [] };
  return {
    present: true,
    targets: config.targets.map((target) => {
      const removed: string[] = [];
      const out: BundleConfig['targets'][number] = {
        kind: target.kind,
        url: redactor.text(publicUrl(target.url)),
      };
      if (urlHasSecret(target.url)) removed.push('url');
      if (target.id !== undefined) out.id = redactor.text(target.id);
      if (target.label !== undefined) out.label = redactor.text(target.label);
      if (target.kind === 'turn') {
        if (target.username !== undefined) removed.push('username');
        if (target.credential !== undefined) removed.push('credential');
        if (target.transports !== undefined) out.transports = [...target.transports];
      }
      if (target.kind === 'peerjs' && target.key !== undefined) {
        if (target.key === PUBLIC_PEERJS_KEY) out.key = target.key;
        else removed.push('key');
      }
      if (removed.length) out.secretsRemoved = removed;
      return out;
    }),
    timeouts: { ...config.timeouts },
    retry: { ...config.retry },
    concurrency: config.concurrency,
    // a ticket about a refused certificate needs to know which CA the tester trusted
    ...(config.tls?.caFile ? { tls: { caFile: redactor.text(config.tls.caFile) } } : {}),
  };
}
