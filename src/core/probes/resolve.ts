import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { LookupFn, ResolvedAddress } from './lookup';
import { ProbeFailure } from './types';

export const systemLookup: LookupFn = async (host, family) => {
  const result = await dnsLookup(host, family ? { family } : {});
  return { address: result.address, family: result.family === 6 ? 6 : 4 };
};

/** The resolver's answers that mean "no address (of this family)": the name exists or not, nothing to reach. */
const NO_ADDRESS = new Set(['ENOTFOUND', 'ENODATA', 'EAI_NODATA', 'EAI_NONAME']);

/** Resolves a host for a probe; IP literals skip the resolver, failures become a `dns` ProbeFailure. */
export async function resolveHost(host: string, lookup: LookupFn, stage: string): Promise<ResolvedAddress> {
  const literal = isIP(host);
  if (literal) return { address: host, family: literal === 6 ? 6 : 4 };
  try {
    return await lookup(host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
    throw new ProbeFailure('dns', stage, `the name ${host} did not resolve (${code})`);
  }
}

/**
 * The host's address of one family, or null when it has none (an IPv4 literal has no IPv6 address, a
 * name without an AAAA record neither). A resolver that does not answer is a `dns` ProbeFailure.
 */
export async function resolveFamily(
  host: string,
  family: 4 | 6,
  lookup: LookupFn,
  stage: string,
): Promise<ResolvedAddress | null> {
  const literal = isIP(host);
  if (literal) return literal === family ? { address: host, family } : null;
  try {
    const found = await lookup(host, family);
    // a lookup that ignores the family (a test's fixed table) answers with another one: none of this family
    return found.family === family ? found : null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
    if (NO_ADDRESS.has(code)) return null;
    throw new ProbeFailure('dns', stage, `the name ${host} did not resolve (${code})`);
  }
}
