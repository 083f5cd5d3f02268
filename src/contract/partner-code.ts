// Zod-free, so the renderer can check a typed code without pulling the schemas into its bundle.

/** Codes last this long unless the host asks for less (`--code-ttl`). */
export const PARTNER_CODE_TTL_MS = 10 * 60_000;

/** `XXXX-XXXX` from Crockford's base32 (no I, L, O, U); lower case, spaces and O/I/L typos are accepted. */
export const PARTNER_CODE_PATTERN = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

/**
 * What a person typed, as a code: case, spaces, a missing dash and Crockford's look-alikes
 * (O → 0, I/L → 1) forgiven; null when it cannot be one. The UI and the engine share it.
 */
export function normalizePartnerCode(input: string): string | null {
  const cleaned = input
    .trim()
    .toUpperCase()
    .replace(/[\s_-]+/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  const code = cleaned.length === 8 ? `${cleaned.slice(0, 4)}-${cleaned.slice(4)}` : cleaned;
  return PARTNER_CODE_PATTERN.test(code) ? code : null;
}
