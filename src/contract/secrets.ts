import type { Target } from './config';

/**
 * Secrets a target carries, wherever the config schema lets them sit: TURN usernames and credentials,
 * a PeerJS key other than the public default, and inside a signaling URL its userinfo
 * (`https://user:pw@host/gun`) and the values of credential-like query parameters
 * (`?access_token=…`). Every artefact (database, log, bundle, report, screen) shows a target by its
 * public URL; only the probe that connects reads the URL as configured.
 */

/** The PeerJS server's public default key: it identifies nothing, so it stays. Any other key is a secret. */
export const PUBLIC_PEERJS_KEY = 'peerjs';

export const SECRET_PLACEHOLDER = '[secret]';

/** Query parameters whose value authenticates: OAuth tokens, API keys, signatures, passwords. */
const SECRET_PARAM =
  /^(access[-_]?token|id[-_]?token|refresh[-_]?token|token|auth|authorization|key|api[-_]?key|apikey|secret|client[-_]?secret|password|passwd|pwd|pass|credential|sig|signature|session|sessionid|sid|jwt|bearer|x-amz-signature|x-amz-credential|x-amz-security-token)$/i;

export function isSecretParam(name: string): boolean {
  return SECRET_PARAM.test(name);
}

function parsed(raw: string): URL | null {
  try {
    return new URL(raw);
  } catch {
    return null;
  }
}

function decoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * The secret values inside one URL, as written and as decoded: the userinfo password and the values
 * of credential-like parameters. The userinfo user name is masked in every URL (`publicUrl`) but is
 * not scrubbed from free text: it names an account (often a plain word such as "down" or "admin"),
 * and removing it from every string would take words out of messages and enum fields.
 */
export function urlSecrets(raw: string): string[] {
  const url = parsed(raw);
  if (!url) return [];
  const found: string[] = [];
  const add = (value: string) => {
    if (!value) return;
    found.push(value, decoded(value));
  };
  add(url.password);
  for (const [name, value] of url.searchParams) {
    if (isSecretParam(name)) {
      add(value);
      add(encodeURIComponent(value));
    }
  }
  return [...new Set(found)];
}

/**
 * The URL as an artefact may show it: userinfo becomes `[secret]@`, credential-like query values
 * become `[secret]`; everything else (scheme, host, port, path, other parameters) stays as written.
 * A string that is not a URL is returned with any `//user:pw@` shape masked.
 */
export function publicUrl(raw: string): string {
  const url = parsed(raw);
  if (!url || !url.host) return raw.replace(/(\/\/)[^/@\s]*@/, `$1${SECRET_PLACEHOLDER}@`);
  const userinfo = url.username || url.password ? `${SECRET_PLACEHOLDER}@` : '';
  const query = raw.includes('?')
    ? raw
        .slice(raw.indexOf('?') + 1)
        .split('#')[0]!
        .split('&')
        .map((pair) => {
          const at = pair.indexOf('=');
          const name = decoded(at < 0 ? pair : pair.slice(0, at));
          return at >= 0 && isSecretParam(name) ? `${pair.slice(0, at)}=${SECRET_PLACEHOLDER}` : pair;
        })
        .join('&')
    : null;
  const hash = url.hash;
  return `${url.protocol}//${userinfo}${url.host}${url.pathname}${query !== null ? `?${query}` : ''}${hash}`;
}

const URL_IN_TEXT = /\b(?:https?|wss?):\/\/[^\s"'<>`]+/gi;

/** Every http(s)/ws(s) URL inside a free text in its public form (a server's error, a log line). */
export function maskUrlsIn(text: string): string {
  return text.includes('://') ? text.replace(URL_IN_TEXT, (url) => publicUrl(url)) : text;
}

/** True when `publicUrl` would change the URL: it carries a secret. */
export function urlHasSecret(raw: string): boolean {
  return publicUrl(raw) !== raw;
}

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
