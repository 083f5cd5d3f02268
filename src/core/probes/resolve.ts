import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ProbeFailure } from './types';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type LookupFn = (host: string) => Promise<ResolvedAddress>;

export const systemLookup: LookupFn = async (host) => {
  const result = await dnsLookup(host);
  return { address: result.address, family: result.family === 6 ? 6 : 4 };
};

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
