/**
 * Partner codes: `XXXX-XXXX`, 8 symbols of Crockford's base32 (40 random bits), read aloud or typed
 * from a screen. A code carries no address and no time: it only names a meeting point. What goes to
 * a signaling server is derived from it with scrypt (a memory-hard hash), so neither the relay nor
 * anyone watching it learns the code, and guessing it offline from what they see costs far more than
 * the code's ten minutes of life.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, randomInt, scrypt } from 'node:crypto';
import { normalizePartnerCode } from '../../contract/partner';
import { TriageError } from '../errors';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const SALT = 'rtc-triage/partner@1';

/** A fresh code from the OS's CSPRNG. */
export function newPartnerCode(): string {
  const symbols = Array.from({ length: 8 }, () => ALPHABET[randomInt(ALPHABET.length)] as string);
  return `${symbols.slice(0, 4).join('')}-${symbols.slice(4).join('')}`;
}

/** The code a person typed (see normalizePartnerCode); anything else is refused with a message that says what a code looks like. */
export function parsePartnerCode(input: string): string {
  const code = normalizePartnerCode(input);
  if (code === null) {
    throw new TriageError(
      'ARGUMENT_INVALID',
      `"${input.slice(0, 40)}" is not a partner code: a code is 8 letters and digits like 7KQ2-M9XD, as shown by \`rtc-triage partner --host\` on your partner's machine`,
      { field: 'code' },
    );
  }
  return code;
}

export interface PartnerKeys {
  /** Names the meeting point on a signaling server (hex); reveals nothing about the code. */
  rendezvousId: string;
  /** Shared by both sides' attempts, so the two histories can be matched. */
  correlationId: string;
  /** AES-256-GCM key for every message between the partners. */
  key: Buffer;
}

/** scrypt with N = 2^14: about 16 MiB and a few tens of ms per code; a guess costs an attacker the same. */
export function deriveKeys(code: string): Promise<PartnerKeys> {
  return new Promise((resolve, reject) => {
    scrypt(code, SALT, 48, { N: 1 << 14, r: 8, p: 1 }, (error, derived) => {
      if (error) return reject(error);
      const rendezvousId = derived.subarray(0, 16).toString('hex');
      const digest = createHash('sha256').update(`correlation:${rendezvousId}`).digest('hex');
      resolve({
        rendezvousId,
        correlationId: `partner-${digest.slice(0, 8)}-${digest.slice(8, 12)}-${digest.slice(12, 16)}-${digest.slice(16, 28)}`,
        key: Buffer.from(derived.subarray(16, 48)),
      });
    });
  });
}

/** One message, encrypted and authenticated: only a holder of the code can read or forge it. */
export function seal(keys: PartnerKeys, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keys.key, iv);
  cipher.setAAD(Buffer.from(keys.rendezvousId));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `p1.${iv.toString('base64url')}.${body.toString('base64url')}`;
}

/** The plaintext of a sealed message, or null when it is not one (wrong code, tampered, garbage). */
export function unseal(keys: PartnerKeys, sealed: unknown): string | null {
  if (typeof sealed !== 'string' || sealed.length > 200_000) return null;
  const parts = sealed.split('.');
  if (parts.length !== 3 || parts[0] !== 'p1') return null;
  try {
    const iv = Buffer.from(parts[1] as string, 'base64url');
    const body = Buffer.from(parts[2] as string, 'base64url');
    if (iv.length !== 12 || body.length < 16) return null;
    // Only the canonical text of those bytes: a sealed message has exactly one spelling.
    if (iv.toString('base64url') !== parts[1] || body.toString('base64url') !== parts[2]) return null;
    const decipher = createDecipheriv('aes-256-gcm', keys.key, iv);
    decipher.setAAD(Buffer.from(keys.rendezvousId));
    decipher.setAuthTag(body.subarray(body.length - 16));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    return null;
  }
}
