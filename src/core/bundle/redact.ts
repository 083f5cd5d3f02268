import { createHmac, randomBytes } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { addressScope, mapStrings, SECRET_PLACEHOLDER, SecretScrubber } from '../../contract';

/**
 * What a redacting export removes. The HMAC key is random per bundle and never written anywhere,
 * so a token (`ip-3f9a1c`) tells the same address apart across files of one bundle but cannot be
 * reversed or matched against another bundle.
 */
export interface RedactionRules {
  /** Replace IP addresses with keyed tokens. Off only with `--no-redact`. */
  addresses: boolean;
  /** Hosts of configured target URLs: kept verbatim (public servers the user chose), unless private. */
  keepHosts: Iterable<string>;
  /** Secret values (TURN usernames/credentials, PeerJS keys): removed even with `--no-redact`. */
  secrets: Iterable<string>;
  /** This machine's host name and user name: removed unless `--no-redact`. */
  machineNames: Iterable<string>;
}

export { SECRET_PLACEHOLDER };

// A run of characters an IPv4/IPv6 address is made of; validated with node:net, never by regex alone.
const ADDRESS_RUN = /[0-9A-Fa-f:.]{2,}/g;
const SDP_ICE_PWD = /(a=ice-pwd:)[^\s"\\]+/g;
/**
 * A browser's version after its product name in a user agent: `Chrome/140.0.0.0` (Chrome's reduced
 * user agent always ends in .0.0.0, a valid IPv4) is a version, not an address. Named products only:
 * `proxy/10.1.2.3` is still an address.
 */
const VERSION_AFTER_PRODUCT =
  /(?:^|[^A-Za-z0-9])(?:Chrome|Chromium|HeadlessChrome|CriOS|Edg|EdgA|EdgiOS|OPR|YaBrowser|SamsungBrowser|Version|Firefox|Safari|AppleWebKit|Electron)\/$/;

export class Redactor {
  private readonly key = randomBytes(32);
  private readonly tokens = new Map<string, string>();
  private readonly used = new Set<string>();
  private readonly kept = new Set<string>();
  private readonly secrets: SecretScrubber;
  private readonly names: RegExp | null;

  constructor(private readonly rules: RedactionRules) {
    for (const host of rules.keepHosts) {
      const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
      if ((isIPv4(bare) || isIPv6(bare)) && !isPrivateAddress(bare)) this.kept.add(bare);
    }
    this.secrets = new SecretScrubber(rules.secrets);
    const names = [...new Set(rules.machineNames)].filter((n) => n.length >= 2).map(escapeRegExp);
    // Whole words only: a user called "ann" must not turn "announce" into "<user>ounce".
    this.names = names.length
      ? new RegExp(`(?<![A-Za-z0-9_-])(?:${names.join('|')})(?![A-Za-z0-9_-])`, 'gi')
      : null;
  }

  get redactsAddresses(): boolean {
    return this.rules.addresses;
  }

  /** The token for one address, stable within this redactor (this bundle). */
  tokenFor(address: string): string {
    const normal = address.toLowerCase();
    let token = this.tokens.get(normal);
    if (token) return token;
    const digest = createHmac('sha256', this.key).update(normal).digest('hex');
    const prefix = isIPv6(normal) ? 'ip6-' : 'ip-';
    for (let length = 6; ; length += 2) {
      token = `${prefix}${digest.slice(0, length)}`;
      if (!this.used.has(token)) break;
    }
    this.used.add(token);
    this.tokens.set(normal, token);
    return token;
  }

  text(value: string): string {
    let out = this.secrets.text(value);
    out = out.replace(SDP_ICE_PWD, `$1${SECRET_PLACEHOLDER}`);
    if (!this.rules.addresses) return out;
    out = out.replace(ADDRESS_RUN, (run, offset: number, whole: string) =>
      VERSION_AFTER_PRODUCT.test(whole.slice(Math.max(0, offset - 24), offset)) ? run : this.addressRun(run),
    );
    if (this.names) out = out.replace(this.names, '[machine]');
    return out;
  }

  /** Deep copy with every string (values, and keys of free-form records) redacted. */
  value<T>(value: T): T {
    return mapStrings(value, (text) => this.text(text), isSecretKey);
  }

  /**
   * One run of address characters may hold an address plus a neighbour: `:fe80::1` after a label,
   * `203.0.113.5:54321` with a port, `…1.` at the end of a sentence. Try the run, then trimmed forms.
   */
  private addressRun(run: string): string {
    const whole = this.addressToken(run);
    if (whole) return whole;
    // IPv4 addresses inside the run (with a port, after `::ffff:` forms that failed, in dotted lists).
    const v4 = run.replace(/(?<![0-9.])\d{1,3}(?:\.\d{1,3}){3}(?![0-9])/g, (m) => this.addressToken(m) ?? m);
    if (v4 !== run) return v4;
    const lead = /^[:.]+/.exec(run)?.[0] ?? '';
    const trail = /(?:\.+|:\d{1,5})$/.exec(run.slice(lead.length))?.[0] ?? '';
    const core = run.slice(lead.length, run.length - trail.length);
    const token = core !== run ? this.addressToken(core) : null;
    if (token) return `${lead}${token}${trail}`;
    if (trail) {
      const withTrail = this.addressToken(run.slice(lead.length));
      if (withTrail) return `${lead}${withTrail}`;
    }
    return run;
  }

  private addressToken(candidate: string): string | null {
    const normal = candidate.toLowerCase();
    if (!isIPv4(normal) && !(normal.includes(':') && isIPv6(normal))) return null;
    if (this.kept.has(normal)) return candidate;
    return this.tokenFor(normal);
  }
}

const SECRET_KEYS = /^(username|credential|password|passwd|secret|token|ice-?pwd|authorization)$/i;
function isSecretKey(key: string): boolean {
  return SECRET_KEYS.test(key);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** RFC 1918, CGNAT, link-local and unique-local: addresses that describe the user's own network. */
export function isPrivateAddress(address: string): boolean {
  return addressScope(address) === 'private';
}
