/** What a probe resolves a host name with: a leaf, so the probe context (types.ts) and the resolver (resolve.ts) share it. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a name to one address; `family` asks for an address of that family only (A or AAAA). */
export type LookupFn = (host: string, family?: 4 | 6) => Promise<ResolvedAddress>;
