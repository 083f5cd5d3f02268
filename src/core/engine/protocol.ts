/**
 * The messages between a face and the engine process (docs/architecture.md, "Processes"). A call
 * carries a contract method and its arguments; the engine answers with the same `{ ok, value | error }`
 * envelope `dispatch` returns in-process. The engine asks the face for what only a face has (files:
 * the bundle to open, where to write an export) and forwards every engine event.
 *
 * This module is imported by Electron's main process: it must stay free of the engine's own code.
 */
import type { CallEnvelope, CallError, ConfigInput, MethodName, TriageEvent } from '../../contract';

/** The result of one call, in every face: what `dispatch` returns and what crosses the process boundary. */
export type CallResult = CallEnvelope;

/**
 * What only a face can provide: files. The renderer never names a path; Electron's main process asks
 * the user with a dialog, `serve` works on uploaded bytes and offers downloads. A face that lacks
 * one refuses the method. `null` from either means the user cancelled.
 */
export interface CallContext {
  /** The bundle file to open, and the name to show for it. */
  bundleToOpen?(): Promise<{ path: string; name: string } | null>;
  /** Where to write an export; `download` is the URL a browser fetches it from afterwards. */
  exportTarget?(fileName: string): Promise<{ path: string; download: string | null } | null>;
}

/** How the engine process is set up: plain data, so it crosses the process boundary as it is. */
export interface EngineOptions {
  face: string;
  version: string;
  useSavedSettings?: boolean;
  configPath?: string;
  dbPath?: string;
  /** The embedded lab's config (its servers run in the face's process): tested as layer L1. */
  lab?: ConfigInput;
  /** better-sqlite3 built for this runtime's ABI (Electron), when the default one is not. */
  nativeBinding?: string;
  /** The peer host program and the executable that runs it; null: every probe in the engine. */
  peerHosts?: { entry: string; execPath?: string; runAsNode?: boolean } | null;
  /** Resume the monitor schedule saved in Settings once started. */
  resumeSchedule?: boolean;
}

/** What a face asks of its files, by name (dispatch's CallContext). */
export type FileQuestion = { what: 'bundleToOpen' } | { what: 'exportTarget'; fileName: string };

export type FaceMessage =
  | { type: 'start'; options: EngineOptions }
  | { type: 'call'; id: number; method: MethodName; args: unknown; canAsk: FileQuestion['what'][] }
  | { type: 'answer'; id: number; ask: number; value: unknown }
  | { type: 'shutdown' };

export type EngineMessage =
  | { type: 'ready'; pid: number }
  | { type: 'fatal'; error: CallError }
  | { type: 'result'; id: number; result: CallResult }
  | { type: 'ask'; id: number; ask: number; question: FileQuestion }
  | { type: 'event'; event: TriageEvent };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A message from the engine, or null when it is not one (nothing else may reach the face's handlers). */
export function readEngineMessage(value: unknown): EngineMessage | null {
  if (!isObject(value) || typeof value.type !== 'string') return null;
  switch (value.type) {
    case 'ready':
      return typeof value.pid === 'number' ? (value as EngineMessage) : null;
    case 'fatal':
      return isObject(value.error) && typeof value.error.message === 'string'
        ? (value as EngineMessage)
        : null;
    case 'result':
      return typeof value.id === 'number' && isObject(value.result) ? (value as EngineMessage) : null;
    case 'ask':
      return typeof value.id === 'number' && typeof value.ask === 'number' && isObject(value.question)
        ? (value as EngineMessage)
        : null;
    case 'event':
      return isObject(value.event) && typeof value.event.name === 'string' ? (value as EngineMessage) : null;
    default:
      return null;
  }
}

/** A message from the face, or null. */
export function readFaceMessage(value: unknown): FaceMessage | null {
  if (!isObject(value) || typeof value.type !== 'string') return null;
  switch (value.type) {
    case 'start':
      return isObject(value.options) ? (value as FaceMessage) : null;
    case 'call':
      return typeof value.id === 'number' && Array.isArray(value.canAsk) ? (value as FaceMessage) : null;
    case 'answer':
      return typeof value.id === 'number' && typeof value.ask === 'number' ? (value as FaceMessage) : null;
    case 'shutdown':
      return value as FaceMessage;
    default:
      return null;
  }
}
