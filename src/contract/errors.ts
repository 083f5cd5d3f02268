/**
 * The one list of error codes every face answers with (issue 20): the engine's typed errors
 * (core/errors.ts), the HTTP adapter's status, the CLI's exit code and the renderer's CallFailure all
 * read this table; no face spells a code of its own.
 */

/** `rtc-triage` exit codes: 0 healthy, 1 a problem found, 2 bad usage or config, 3 internal/unexpected. */
export const EXIT_CODES = { ok: 0, problem: 1, usage: 2, internal: 3 } as const;
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

interface ErrorCodeInfo {
  /** The HTTP status `rtc-triage serve` answers with. */
  http: number;
  /** The exit code of a CLI command that fails with it. */
  exit: ExitCode;
  /** Who says it and when. */
  meaning: string;
}

const usage = EXIT_CODES.usage;
const internal = EXIT_CODES.internal;

export const ERROR_CODES = {
  // the engine (core/errors.ts)
  CONFIG_INVALID: {
    http: 409,
    exit: usage,
    meaning: 'the config (or a target in it) is not valid; names the field',
  },
  CONFIG_UNREADABLE: { http: 500, exit: usage, meaning: 'the config file cannot be read' },
  USAGE: { http: 400, exit: usage, meaning: 'a command was called the wrong way (flags, arguments)' },
  ARGUMENT_INVALID: {
    http: 400,
    exit: usage,
    meaning: "a call's arguments do not match its schema; names the field",
  },
  NOT_FOUND: { http: 404, exit: internal, meaning: 'no such attempt, call, route or download' },
  BUSY: { http: 409, exit: internal, meaning: 'a diagnosis (or partner test) is already running' },
  UNSUPPORTED: { http: 400, exit: internal, meaning: 'the face cannot do it (no file access)' },
  DB_TOO_NEW: { http: 500, exit: internal, meaning: 'the history was written by a newer version' },
  DB_UNREADABLE: { http: 500, exit: internal, meaning: 'the history cannot be opened' },
  DB_UNWRITABLE: {
    http: 500,
    exit: internal,
    meaning: 'the history refused a write; what was stored is kept',
  },
  ENGINE_CRASHED: { http: 503, exit: internal, meaning: 'the engine process ended during the call' },
  ENGINE_FAILED: {
    http: 503,
    exit: internal,
    meaning: 'the engine process cannot start (restarted too often)',
  },
  ENGINE_STOPPED: { http: 503, exit: internal, meaning: 'the engine process was shut down' },
  ENGINE_STARTING: { http: 503, exit: internal, meaning: 'the engine process is not started yet' },
  INTERNAL: { http: 500, exit: internal, meaning: 'anything unexpected' },
  // the contract's dispatch (core/engine/dispatch.ts)
  UNKNOWN_METHOD: { http: 404, exit: usage, meaning: 'no such method in the method table' },
  // the HTTP adapter (cli/serve*.ts)
  BAD_REQUEST: { http: 400, exit: usage, meaning: 'the request body is not JSON' },
  UNSUPPORTED_MEDIA_TYPE: {
    http: 415,
    exit: usage,
    meaning: 'the arguments are not sent as application/json',
  },
  METHOD_NOT_ALLOWED: { http: 405, exit: usage, meaning: 'the wrong HTTP method for the route' },
  BODY_TOO_LARGE: { http: 413, exit: usage, meaning: 'the request body is over the limit' },
  HOST_REFUSED: {
    http: 403,
    exit: usage,
    meaning: 'the request is addressed to another host (DNS rebinding)',
  },
  TOKEN_REQUIRED: { http: 401, exit: usage, meaning: 'the request has no valid access token' },
  // the Electron IPC adapter (main/ipc.ts)
  SENDER_REFUSED: { http: 403, exit: usage, meaning: 'the IPC sender is not the RTC Triage renderer' },
  // the browser client (renderer/src/api/http-client.ts)
  UNREACHABLE: { http: 503, exit: internal, meaning: 'the server did not answer' },
  BAD_RESPONSE: {
    http: 502,
    exit: internal,
    meaning: 'the server answered something that is not an envelope',
  },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;
export const ERROR_CODE_NAMES = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}

/** The HTTP status `serve` answers a failed call with. */
export function httpStatusFor(code: ErrorCode): number {
  return ERROR_CODES[code].http;
}

/** The exit code of a CLI command that fails with the code. */
export function exitCodeFor(code: ErrorCode): ExitCode {
  return ERROR_CODES[code].exit;
}
