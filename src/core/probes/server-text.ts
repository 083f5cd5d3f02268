/**
 * What a server sends as text (a STUN/TURN reason phrase, a PeerJS error message) is data, not
 * something to print as it came: padding NULs, control bytes (C0, DEL, C1) and bidirectional
 * overrides are dropped, runs of white space become one space, and it is cut to `max` characters.
 * An IPv6 TURN 440 used to read "Unsupported address family\x00\x00".
 */
const UNPRINTABLE =
  // eslint-disable-next-line no-control-regex -- the bytes a server's text must not bring along
  /[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufffd]/g;

/** RFC 8489 §14.8: a reason phrase is at most 127 characters. */
export const MAX_REASON_CHARS = 127;

export function serverText(raw: string, max = MAX_REASON_CHARS): string {
  const clean = raw.replace(UNPRINTABLE, '').replace(/\s+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
