import type { Target } from './config';
import { SECRET_PLACEHOLDER, maskUrlsIn, urlSecrets } from './public-url';

/**
 * Secrets a target carries, wherever the config schema lets them sit: TURN usernames and credentials,
 * a PeerJS key other than the public default, and inside a signaling URL its userinfo
 * (`https://user:pw@host/gun`) and the values of credential-like query parameters
 * (`?access_token=…`). Every artefact (database, log, bundle, report, screen) shows a target by its
 * public URL; only the probe that connects reads the URL as configured.
 */

/** The PeerJS server's public default key: it identifies nothing, so it stays. Any other key is a secret. */
export const PUBLIC_PEERJS_KEY = 'peerjs';

/** Every secret value of one configured target (see the module comment). */
export function targetSecrets(target: Target): string[] {
  const secrets: string[] = [];
  if (target.kind === 'turn') {
    if (target.username) secrets.push(target.username);
    if (target.credential) secrets.push(target.credential);
  }
  if (target.kind === 'peerjs' && target.key && target.key !== PUBLIC_PEERJS_KEY) {
    secrets.push(target.key, encodeURIComponent(target.key));
  }
  if (target.kind === 'gun' || target.kind === 'peerjs') secrets.push(...urlSecrets(target.url));
  return [...new Set(secrets)];
}

/** Secrets shorter than this are only removed from their own fields: scrubbing "p" from every string would destroy the text. */
export const MIN_SCRUBBED_SECRET = 4;

/**
 * Replaces every occurrence of the given secret values in strings (deeply, keys of records included)
 * with `[secret]`. Built once per run or bundle from `targetSecrets`; the longest secret goes first so
 * a secret that contains another is removed whole.
 */
export class SecretScrubber {
  private readonly secrets: string[];

  constructor(secrets: Iterable<string>) {
    this.secrets = [...new Set(secrets)]
      .filter((s) => s.length >= MIN_SCRUBBED_SECRET)
      .sort((a, b) => b.length - a.length);
  }

  /** For resolved targets too: a target shown by its public URL keeps the configured one in `connectUrl`. */
  static forTargets(
    targets: Iterable<Target | { kind: string; url: string; connectUrl?: string }>,
  ): SecretScrubber {
    const secrets: string[] = [];
    for (const target of targets) {
      if (!['stun', 'turn', 'gun', 'peerjs'].includes(target.kind)) continue;
      const connect = 'connectUrl' in target ? target.connectUrl : undefined;
      secrets.push(...targetSecrets((connect ? { ...target, url: connect } : target) as Target));
    }
    return new SecretScrubber(secrets);
  }

  text(value: string): string {
    let out = maskUrlsIn(value);
    for (const secret of this.secrets)
      if (out.includes(secret)) out = out.split(secret).join(SECRET_PLACEHOLDER);
    return out;
  }

  value<T>(value: T): T {
    return mapStrings(value, (text) => this.text(text));
  }
}

/**
 * A deep copy with every string (values, and keys of free-form records) passed through `text`; a
 * string under a key that `secretKey` names is replaced by `[secret]` whole. Shared by the run's
 * scrubber and the bundle's redactor.
 */
export function mapStrings<T>(
  value: T,
  text: (value: string) => string,
  secretKey: (key: string) => boolean = () => false,
): T {
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return text(item);
    if (Array.isArray(item)) return item.map(walk);
    if (item && typeof item === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(item))
        out[text(key)] = secretKey(key) && typeof inner === 'string' ? SECRET_PLACEHOLDER : walk(inner);
      return out;
    }
    return item;
  };
  return walk(value) as T;
}
