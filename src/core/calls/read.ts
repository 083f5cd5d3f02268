import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { TriageError, errorMessage } from '../errors';

/**
 * Limits on what a dump may make us read (docs/calls.md "Hostile input"). A real webrtc-internals
 * dump of a long call with video is a few MiB compressed and tens uncompressed.
 */
export interface DumpLimits {
  /** The file as it is on disk (compressed or not). */
  maxFileBytes: number;
  /** The text after decompression: counted while inflating, so a gzip bomb stops there. */
  maxTextBytes: number;
  /** JSON nesting; the formats need 6 levels, stats objects a few more. */
  maxDepth: number;
  maxPeerConnections: number;
  /** Events (updateLog entries, rtcstats lines) per peer connection. */
  maxEventsPerConnection: number;
  /** Lines of an rtcstats dump. */
  maxLines: number;
}

export const DEFAULT_DUMP_LIMITS: DumpLimits = {
  maxFileBytes: 64 * 1024 * 1024,
  maxTextBytes: 256 * 1024 * 1024,
  maxDepth: 32,
  maxPeerConnections: 256,
  maxEventsPerConnection: 200_000,
  maxLines: 2_000_000,
};

/** A dump that cannot be imported: one plain message; `field` names the line or field to blame. */
export class CallDumpError extends TriageError {
  constructor(file: string, reason: string, where?: string) {
    super(
      'ARGUMENT_INVALID',
      `${file} is not a call dump RTC Triage can import: ${where ? `${where}: ` : ''}${reason}`,
      where ? { field: where } : {},
    );
    this.name = 'CallDumpError';
  }
}

/**
 * The dump's text. Chromium's "Create a WebRTC-Internals dump" writes gzip (its "compress" option is
 * on by default), rtcstats dumps are often gzipped too: both are taken, within the limits.
 */
export function readDumpText(file: string, name: string, limits: DumpLimits = DEFAULT_DUMP_LIMITS): string {
  const bytes = readBounded(file, name, limits.maxFileBytes);
  let data = bytes;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      data = gunzipSync(bytes, { maxOutputLength: limits.maxTextBytes });
    } catch (error) {
      const reason = /maxOutputLength|Cannot create a Buffer larger/i.test(errorMessage(error))
        ? `it expands to more than ${limits.maxTextBytes} bytes`
        : `it is gzip, but damaged or truncated (${errorMessage(error)})`;
      throw new CallDumpError(name, reason);
    }
  } else if (bytes.length > limits.maxTextBytes) {
    throw new CallDumpError(name, `it is larger than ${limits.maxTextBytes} bytes`);
  }
  if (data.length === 0) throw new CallDumpError(name, 'it is empty');
  if (data.includes(0)) throw new CallDumpError(name, 'it is binary, not JSON text');
  return new TextDecoder('utf-8', { fatal: false }).decode(data);
}

/** The same checks on text a face uploaded: within the limit, not empty, not binary. */
export function checkDumpText(text: string, name: string, limits: DumpLimits = DEFAULT_DUMP_LIMITS): string {
  if (text.length > limits.maxTextBytes)
    throw new CallDumpError(name, `it is larger than ${limits.maxTextBytes} characters`);
  if (text.trim().length === 0) throw new CallDumpError(name, 'it is empty');
  if (text.includes('\u0000')) throw new CallDumpError(name, 'it is binary, not JSON text');
  return text;
}

function readBounded(file: string, name: string, max: number): Buffer {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CallDumpError(name, code === 'ENOENT' ? 'the file does not exist' : errorMessage(error));
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new CallDumpError(name, 'it is not a regular file');
    if (stat.size > max) throw new CallDumpError(name, `it is ${stat.size} bytes (at most ${max} are read)`);
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/**
 * JSON.parse after a linear scan for nesting deeper than `maxDepth` (brackets outside strings), so a
 * hostile document is refused before any parser or walker recurses into it.
 */
export function parseJson(text: string, name: string, where: string, maxDepth: number): unknown {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth)
        throw new CallDumpError(name, `it is nested more than ${maxDepth} levels deep`, where);
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CallDumpError(name, `not valid JSON (${errorMessage(error)})`, where);
  }
}

/** A JSON value that may itself be JSON text (webrtc-internals stores every value as a string). */
export function maybeJson(value: unknown, maxDepth: number): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (!/^[[{"]/.test(trimmed) && !/^(true|false|null|-?\d)/.test(trimmed)) return value;
  try {
    return parseJson(trimmed, '', '', maxDepth);
  } catch {
    return value;
  }
}
