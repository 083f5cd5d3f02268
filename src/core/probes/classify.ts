import type { ErrorClass } from '../../contract';
import { StunDecodeError } from './stun/message';
import { ProbeFailure } from './types';

const BY_CODE: Record<string, ErrorClass> = {
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EAI_FAIL: 'dns',
  EAI_NONAME: 'dns',
  EAI_NODATA: 'dns',
  ECONNREFUSED: 'refused',
  ECONNRESET: 'refused',
  EPIPE: 'refused',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  ENETDOWN: 'unreachable',
  EHOSTDOWN: 'unreachable',
  EADDRNOTAVAIL: 'unreachable',
  EPERM: 'unreachable',
  EACCES: 'unreachable',
  ETIMEDOUT: 'timeout',
};

const PLAIN: Partial<Record<string, string>> = {
  ECONNREFUSED: 'the server refused the connection (nothing listens on that port, or a firewall rejects it)',
  ECONNRESET: 'the server reset the connection',
  EPIPE: 'the server closed the connection',
  EHOSTUNREACH: 'no route to the server (host unreachable)',
  ENETUNREACH: 'no route to the server (network unreachable)',
  ENETDOWN: 'the network is down',
  EPERM: 'the operating system or a firewall refused to send the packet',
  EACCES: 'the operating system or a firewall refused to send the packet',
};

/** Maps an error from Node's network stack (or a ProbeFailure) to an error class and a plain message. */
export function classifyError(error: unknown, stage: string): ProbeFailure {
  if (error instanceof ProbeFailure) return error;
  // a reply that decoded but whose attributes do not (an address of an unknown family, a short
  // ERROR-CODE): the server's fault, whichever probe read it
  if (error instanceof StunDecodeError)
    return new ProbeFailure(
      'malformed-reply',
      stage,
      `the server's reply is not valid STUN: ${error.message}`,
    );
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code && BY_CODE[code])
    return new ProbeFailure(BY_CODE[code], stage, PLAIN[code] ?? `${code}: ${message}`);
  if (code && /^ERR_TLS|^ERR_SSL|CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) {
    return new ProbeFailure('tls', stage, `TLS handshake failed (${code}): ${message}`);
  }
  // `ws` gives up on a WebSocket whose TCP or HTTP handshake got no answer with a code-less Error:
  // the packets were dropped (a firewall), not a bug of ours (the network lab's "only TCP 443")
  if (/^Opening handshake has timed out$/.test(message))
    return new ProbeFailure(
      'timeout',
      stage,
      'no answer to the WebSocket handshake in time (the packets are dropped on the way)',
    );
  return new ProbeFailure('internal', stage, message);
}
