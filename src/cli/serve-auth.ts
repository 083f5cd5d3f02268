import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';

/**
 * Access control for `serve` bound beyond loopback: anyone on the network can reach the port, so
 * every request must carry the server's token, as a cookie (set when the page is opened through the
 * URL `serve` prints, `/?token=…`) or as `Authorization: Bearer …` for scripts.
 */

export const MIN_TOKEN_LENGTH = 16;

/** True for 127.0.0.0/8, ::1 and `localhost`: addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1' || host === '[::1]') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Cookies are per host, not per port: two servers on one machine keep their own. */
export function tokenCookieName(port: number): string {
  return `rtc_triage_token_${port}`;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function sameToken(given: string, token: string): boolean {
  return timingSafeEqual(digest(given), digest(token));
}

function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export type TokenCheck = 'ok' | 'missing' | { redirect: string };

/**
 * Whether a request may go on. A page opened with the right `?token=` gets the cookie and a
 * redirect to the same address without it, so the token does not stay in the address bar.
 */
export function checkToken(
  req: IncomingMessage,
  res: ServerResponse,
  options: { token: string; port: number },
): TokenCheck {
  const name = tokenCookieName(options.port);
  const cookie = cookieValue(req.headers.cookie, name);
  if (cookie !== null && sameToken(cookie, options.token)) return 'ok';
  const auth = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (auth?.[1] && sameToken(auth[1], options.token)) return 'ok';

  const url = new URL(req.url ?? '/', 'http://local');
  const given = url.searchParams.get('token');
  if (given !== null && req.method === 'GET' && sameToken(given, options.token)) {
    url.searchParams.delete('token');
    res.setHeader(
      'Set-Cookie',
      `${name}=${options.token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${7 * 86_400}`,
    );
    return { redirect: `${url.pathname}${url.search}` };
  }
  return 'missing';
}

export function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Which Host headers this server answers to. A DNS-rebinding attack reaches us under the attacker's
 * own DNS name, so only our own address is accepted (plus `localhost` for a loopback server, and any
 * IP literal for a wildcard bind): never another name.
 */
export function hostPolicy(host: string, port: number): (hostHeader: string) => boolean {
  const suffix = `:${port}`;
  const names = new Set([hostForUrl(host).toLowerCase()]);
  if (host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)) {
    for (const name of ['localhost', '127.0.0.1', '[::1]']) names.add(name);
  }
  const wildcard = host === '0.0.0.0' || host === '::';
  return (hostHeader) => {
    const value = hostHeader.toLowerCase();
    if (!value.endsWith(suffix)) return false;
    const name = value.slice(0, -suffix.length);
    if (names.has(name)) return true;
    return wildcard && (name === 'localhost' || /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:.]+\])$/.test(name));
  };
}

/** Host must be ours; an Origin, when the browser sends one, must be this very server. */
export function isOwnRequest(req: IncomingMessage, hostAllowed: (hostHeader: string) => boolean): boolean {
  const host = req.headers.host;
  if (!host || !hostAllowed(host)) return false;
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' && url.host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}
