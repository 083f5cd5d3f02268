/**
 * TURN/STUN error codes explained for a support engineer (RFC 8489 §14.8, RFC 8656 §19). Each says
 * whether the server is at fault, the credentials, or the client.
 */
export interface TurnErrorExplanation {
  /** `auth`: credentials/realm/nonce; `quota`/`capacity`: the server is full; `server`: refused for another reason. */
  cause: 'auth' | 'quota' | 'capacity' | 'forbidden' | 'mismatch' | 'protocol' | 'redirect' | 'server';
  plain: string;
}

const EXPLANATIONS: Record<number, TurnErrorExplanation> = {
  300: {
    cause: 'redirect',
    plain: 'the server redirects clients to another TURN server (300 Try Alternate)',
  },
  400: { cause: 'protocol', plain: 'the server rejected the request as malformed (400 Bad Request)' },
  401: {
    cause: 'auth',
    plain:
      'the server did not accept the credentials (401 Unauthorized): the username or password is wrong, or expired for time-limited (REST API) credentials',
  },
  403: {
    cause: 'forbidden',
    plain:
      'the server forbids this allocation (403 Forbidden): the client address or the requested peer is not allowed',
  },
  420: {
    cause: 'protocol',
    plain: 'the server does not understand a required attribute (420 Unknown Attribute)',
  },
  437: {
    cause: 'mismatch',
    plain:
      'the server already has an allocation for this client address with other parameters (437 Allocation Mismatch)',
  },
  438: { cause: 'auth', plain: 'the nonce expired and a fresh one was refused too (438 Stale Nonce)' },
  440: { cause: 'protocol', plain: 'the server does not support the requested address family (440)' },
  441: {
    cause: 'auth',
    plain:
      'the credentials do not match this allocation (441 Wrong Credentials): a different username was used than the one that created it',
  },
  442: {
    cause: 'protocol',
    plain: 'the server does not support the requested transport (442 Unsupported Transport Protocol)',
  },
  486: {
    cause: 'quota',
    plain: 'this user has too many allocations on the server (486 Allocation Quota Reached)',
  },
  500: { cause: 'server', plain: 'the TURN server had an internal error (500 Server Error)' },
  508: { cause: 'capacity', plain: 'the TURN server is out of relay capacity (508 Insufficient Capacity)' },
};

export function explainTurnError(code: number, reason: string): TurnErrorExplanation {
  const known = EXPLANATIONS[code];
  if (known) return known;
  return { cause: 'server', plain: `the server answered with error ${code}${reason ? ` (${reason})` : ''}` };
}
