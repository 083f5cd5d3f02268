import { networkInterfaces } from 'node:os';
import type { BundleEnvironment } from '../../contract';
import type { Redactor } from './redact';

const VPN_INTERFACE = /^(tun|tap|wg|utun|ppp|ipsec|gpd|cscotun|zt|tailscale|nordlynx|proton|mullvad)/i;
const PROXY_VARIABLES = ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY', 'FTP_PROXY'];

export interface EnvironmentSource {
  interfaces?: ReturnType<typeof networkInterfaces>;
  env?: NodeJS.ProcessEnv;
}

/**
 * What about this machine's network explains a failure: its interfaces (a VPN tunnel, no IPv6, a
 * CGNAT address), proxies. MAC addresses are never collected; addresses go through the redactor.
 */
export function collectEnvironment(redactor: Redactor, source: EnvironmentSource = {}): BundleEnvironment {
  const interfaces: BundleEnvironment['interfaces'] = [];
  const vpnHints = new Set<string>();
  for (const [name, addresses] of Object.entries(source.interfaces ?? networkInterfaces())) {
    const vpnHint = VPN_INTERFACE.test(name);
    if (vpnHint) vpnHints.add(name);
    for (const info of addresses ?? []) {
      const prefix = info.cidr ? Number(info.cidr.split('/')[1]) : NaN;
      interfaces.push({
        name: redactor.text(name),
        family: String(info.family),
        address: redactor.text(info.address),
        prefixLength: Number.isInteger(prefix) ? prefix : null,
        internal: info.internal,
        vpnHint,
      });
    }
  }
  const env = source.env ?? process.env;
  const proxies: Record<string, string> = {};
  for (const variable of PROXY_VARIABLES) {
    for (const name of [variable, variable.toLowerCase()]) {
      const value = env[name];
      if (value) proxies[name] = redactor.text(withoutCredentials(value, redactor));
    }
  }
  return { interfaces, proxies, vpnHints: [...vpnHints].map((n) => redactor.text(n)) };
}

/** `http://user:pass@proxy:8080` → `http://proxy:8080`; with redaction on, a proxy host name is hashed too. */
function withoutCredentials(value: string, redactor: Redactor): string {
  return value
    .split(',')
    .map((part) => {
      const stripped = part.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1');
      if (!redactor.redactsAddresses) return stripped;
      return stripped.replace(
        /((?:^|:\/\/)\s*)([A-Za-z][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)+)/,
        (_m, lead: string, host: string) => {
          return `${lead}host-${redactor.tokenFor(`host:${host}`).replace(/^ip6?-/, '')}`;
        },
      );
    })
    .join(',');
}
