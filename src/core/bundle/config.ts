import { parseIceServerUri, type BundleConfig, type Config } from '../../contract';
import type { Redactor } from './redact';

/** The PeerJS server's public default key: it identifies nothing, so it stays. Any other key is a secret. */
const PUBLIC_PEERJS_KEY = 'peerjs';

export function configuredSecrets(config: Config | null): string[] {
  const secrets: string[] = [];
  for (const target of config?.targets ?? []) {
    if (target.kind === 'turn') {
      if (target.username) secrets.push(target.username);
      if (target.credential) secrets.push(target.credential);
    }
    if (target.kind === 'peerjs' && target.key && target.key !== PUBLIC_PEERJS_KEY) secrets.push(target.key);
  }
  return secrets;
}

/** The host part of each target URL, as the user configured it. */
export function configuredHosts(targets: ReadonlyArray<{ url: string }>): string[] {
  const hosts: string[] = [];
  for (const { url } of targets) {
    const ice = parseIceServerUri(url);
    if (!('error' in ice)) {
      hosts.push(ice.host);
      continue;
    }
    try {
      hosts.push(new URL(url).hostname);
    } catch {
      // not a URL (e.g. `local:machine`): nothing to keep
    }
  }
  return hosts;
}

/** The config without secrets: TURN usernames and credentials, and non-default PeerJS keys. */
export function bundleConfig(config: Config | null, redactor: Redactor): BundleConfig {
  if (!config) return { present: false, targets: [] };
  return {
    present: true,
    targets: config.targets.map((target) => {
      const removed: string[] = [];
      const out: BundleConfig['targets'][number] = { kind: target.kind, url: redactor.text(target.url) };
      if (target.id !== undefined) out.id = redactor.text(target.id);
      if (target.label !== undefined) out.label = redactor.text(target.label);
      if (target.kind === 'turn') {
        if (target.username !== undefined) removed.push('username');
        if (target.credential !== undefined) removed.push('credential');
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
  };
}
