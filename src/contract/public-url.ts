/**
 * A URL's secrets and the form an artefact may show it in: its userinfo and the values of
 * credential-like query parameters masked. A leaf: config.ts masks the URLs in its own messages with
 * it, secrets.ts builds on it the secrets of a whole target.
 */

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
