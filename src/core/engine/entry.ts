/**
 * The engine process (dist/engine.cjs): the whole engine — TriageService with its SQLite history,
 * monitor, signaling sockets, bundles and the peer-host pool — behind one message port. Electron's
 * main process starts it as a utilityProcess; `serve` and the tests start it with child_process.fork.
 * Same file, same code path (docs/architecture.md, "Processes").
 */
import type { CallError, TriageEvent } from '../../contract';
import { parseConfig } from '../config/load';
import { dispatch } from './dispatch';
import { errorMessage, TriageError } from '../errors';
import { peerHostsFromEnv } from '../isolation/pool';
import { forbidWrtcInThisProcess } from '../probes/webrtc/wrtc';
import { TriageService, type ServiceOptions } from '../service';
import {
  readFaceMessage,
  type CallContext,
  type EngineMessage,
  type EngineOptions,
  type FaceMessage,
  type FileQuestion,
} from './protocol';

interface Port {
  post(message: EngineMessage): void;
  onMessage(listener: (message: unknown) => void): void;
  /** The face is gone: the channel closed (Node) — Electron ends a utility process with its parent. */
  onClose(listener: () => void): void;
}

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

function facePort(): Port {
  const electron = (process as { parentPort?: ElectronParentPort }).parentPort;
  if (electron) {
    return {
      post: (message) => electron.postMessage(message),
      onMessage: (listener) => electron.on('message', (event) => listener(event.data)),
      onClose: () => {},
    };
  }
  if (process.send) {
    return {
      post: (message) => {
        // a face that is gone cannot be told; its 'disconnect' ends this process
        if (process.connected) process.send?.(message, () => {});
      },
      onMessage: (listener) => process.on('message', listener),
      onClose: (listener) => process.once('disconnect', listener),
    };
  }
  throw new Error('the RTC Triage engine runs as a child process of a face (Electron or rtc-triage serve)');
}

function callError(error: unknown): CallError {
  if (error instanceof TriageError)
    return { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) };
  return { code: 'INTERNAL', message: errorMessage(error) };
}

function serviceOptions(options: EngineOptions): ServiceOptions {
  const peerHosts = options.peerHosts
    ? peerHostsFromEnv({
        entry: options.peerHosts.entry,
        ...(options.peerHosts.execPath ? { execPath: options.peerHosts.execPath } : {}),
        ...(options.peerHosts.runAsNode ? { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } } : {}),
      })
    : undefined;
  return {
    face: options.face,
    version: options.version,
    ...(options.useSavedSettings ? { useSavedSettings: true } : {}),
    ...(options.configPath ? { configPath: options.configPath } : {}),
    ...(options.dbPath ? { dbPath: options.dbPath } : {}),
    ...(options.lab ? { lab: parseConfig(options.lab, 'lab') } : {}),
    ...(options.nativeBinding ? { dbOptions: { nativeBinding: options.nativeBinding } } : {}),
    ...(peerHosts ? { peerHosts } : {}),
  };
}

/** Runs the engine on the face's port until the face says shutdown or goes away. */
export function runEngine(port: Port = facePort()): void {
  let service: TriageService | null = null;
  let stopping = false;
  let nextAsk = 1;
  const asked = new Map<number, (value: unknown) => void>();

  const stop = () => {
    if (stopping) return;
    stopping = true;
    try {
      service?.close();
    } finally {
      // as bin/rtc-triage.cjs: leave once the loop is empty, through process.exit, so @roamhq/wrtc's
      // finalizers never run on the way out (node-webrtc#636); a handle left open is cut off after 1 s
      process.once('beforeExit', () => process.exit(0));
      setTimeout(() => process.exit(0), 1000).unref();
    }
  };

  const ask = (id: number, question: FileQuestion) =>
    new Promise<unknown>((resolve) => {
      const number = nextAsk++;
      asked.set(number, resolve);
      port.post({ type: 'ask', id, ask: number, question });
    });

  const start = async (message: Extract<FaceMessage, { type: 'start' }>) => {
    try {
      service = new TriageService(serviceOptions(message.options));
      if (service.webRtcInPeerHosts)
        forbidWrtcInThisProcess('the engine process runs every RTCPeerConnection in its peer hosts');
      service.onEvent((event: TriageEvent) => port.post({ type: 'event', event }));
      if (message.options.resumeSchedule) await service.resumeSchedule();
      port.post({ type: 'ready', pid: process.pid });
    } catch (error) {
      port.post({ type: 'fatal', error: callError(error) });
      stop();
    }
  };

  const call = async (message: Extract<FaceMessage, { type: 'call' }>) => {
    if (!service) {
      port.post({
        type: 'result',
        id: message.id,
        result: { ok: false, error: { code: 'ENGINE_STARTING', message: 'the engine is not started yet' } },
      });
      return;
    }
    const context: CallContext = {};
    if (message.canAsk.includes('bundleToOpen'))
      context.bundleToOpen = () =>
        ask(message.id, { what: 'bundleToOpen' }) as ReturnType<NonNullable<CallContext['bundleToOpen']>>;
    if (message.canAsk.includes('exportTarget'))
      context.exportTarget = (fileName) =>
        ask(message.id, { what: 'exportTarget', fileName }) as ReturnType<
          NonNullable<CallContext['exportTarget']>
        >;
    const result = await dispatch(service, message.method, message.args, context);
    port.post({ type: 'result', id: message.id, result });
  };

  port.onMessage((raw) => {
    const message = readFaceMessage(raw);
    if (!message || stopping) return;
    if (message.type === 'start' && !service) void start(message);
    else if (message.type === 'call') void call(message);
    else if (message.type === 'answer') {
      asked.get(message.ask)?.(message.value);
      asked.delete(message.ask);
    } else if (message.type === 'shutdown') stop();
  });
  port.onClose(stop);
}
