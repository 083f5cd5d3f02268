/**
 * The face's side of the engine process: starts it, forwards contract calls and events, answers its
 * questions about files, and restarts it when it dies (in-flight calls then fail with ENGINE_CRASHED,
 * the face hears `engine.crashed` and `engine.restarted`). `close()` ends it within 2 s, whatever it
 * is doing. Electron's main process and `serve` use this same class: Electron with a utilityProcess
 * (src/main/engine-process.ts), Node with child_process.fork (forkEngine below).
 *
 * Imported by Electron's main process: nothing here may import the engine itself (SQLite, WebRTC, zip).
 */
import { fork } from 'node:child_process';
import type { EventData, EventName, TriageEvent } from '../../contract';
import type { CallContext } from './protocol';
import { TriageError, type TriageErrorCode } from '../errors';
import type { EngineClient } from './client';
import {
  readEngineMessage,
  type CallResult,
  type EngineMessage,
  type EngineOptions,
  type FaceMessage,
  type FileQuestion,
} from './protocol';

/** One running engine process, as either runtime gives it. */
export interface EngineChild {
  readonly pid: number | undefined;
  post(message: FaceMessage): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (why: string) => void): void;
  kill(): void;
}

export type SpawnEngine = () => EngineChild;

/** `dist/engine.cjs` under Node (serve, tests): a forked child with an IPC channel. */
export function forkEngine(
  entry: string,
  options: { execPath?: string; env?: NodeJS.ProcessEnv } = {},
): SpawnEngine {
  return () => {
    const child = fork(entry, [], {
      ...(options.execPath ? { execPath: options.execPath } : {}),
      env: options.env ?? process.env,
      // the engine's stdout is not ours: `serve` prints its own address line there
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    // a send to a child that just died is reported here; its 'exit' says why
    child.on('error', () => {});
    return {
      pid: child.pid,
      post: (message) => {
        if (child.connected) child.send(message, () => {});
      },
      onMessage: (listener) => child.on('message', listener),
      onExit: (listener) => child.once('exit', (code, signal) => listener(signal ?? `exit code ${code}`)),
      kill: () => child.kill('SIGKILL'),
    };
  };
}

export interface SupervisorOptions {
  spawn: SpawnEngine;
  options: EngineOptions;
  /** Restarts allowed within `restartWindowMs` before the supervisor gives up (default 5 in 60 s). */
  maxRestarts?: number;
  restartWindowMs?: number;
  /** How long `close()` waits for the engine to leave before killing it (default 1.5 s). */
  shutdownGraceMs?: number;
}

interface PendingCall {
  resolve(result: CallResult): void;
  context: CallContext;
}

const crashed = (why: string): CallResult => ({
  ok: false,
  error: {
    code: 'ENGINE_CRASHED',
    message: `the engine process ended during this call (${why}); it is being restarted, try again`,
  },
});

export class EngineSupervisor implements EngineClient {
  private child: EngineChild | null = null;
  private ready: Promise<void> | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, PendingCall>();
  private readonly listeners = new Set<(event: TriageEvent) => void>();
  private restarts: number[] = [];
  private closed = false;
  private exited: Promise<void> = Promise.resolve();
  /** Why the engine is down for good (too many crashes), or null. */
  failed: string | null = null;

  constructor(private readonly options: SupervisorOptions) {}

  /** The engine process's id while one runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the engine and resolves once it is ready; rejects with its error when it cannot start. */
  start(): Promise<void> {
    if (!this.ready) this.ready = this.launch();
    return this.ready;
  }

  private launch(): Promise<void> {
    const child = this.options.spawn();
    this.child = child;
    let markExited: () => void = () => {};
    this.exited = new Promise((resolve) => (markExited = resolve));
    return new Promise<void>((resolve, reject) => {
      let started = false;
      child.onMessage((raw) => {
        const message = readEngineMessage(raw);
        if (!message) return;
        if (message.type === 'ready') {
          started = true;
          resolve();
        } else if (message.type === 'fatal') {
          const { code, message: text, field } = message.error;
          reject(new TriageError(code as TriageErrorCode, text, field ? { field } : {}));
        } else this.receive(child, message);
      });
      child.onExit((why) => {
        markExited();
        if (this.child !== child) return;
        this.child = null;
        for (const call of this.pending.values()) call.resolve(crashed(why));
        this.pending.clear();
        if (!started) {
          reject(new TriageError('ENGINE_FAILED', `the engine process ended before it was ready (${why})`));
          return;
        }
        if (!this.closed) this.restart(why);
      });
      child.post({ type: 'start', options: this.options.options });
    });
  }

  private restart(why: string): void {
    const now = Date.now();
    const window = this.options.restartWindowMs ?? 60_000;
    this.restarts = [...this.restarts.filter((at) => now - at < window), now];
    this.emit('engine.crashed', {
      reason: why,
      restarting: this.restarts.length <= (this.options.maxRestarts ?? 5),
    });
    if (this.restarts.length > (this.options.maxRestarts ?? 5)) {
      this.failed = `the engine process ended ${this.restarts.length} times within ${Math.round(window / 1000)} s (last: ${why})`;
      this.ready = Promise.reject(new Error(this.failed));
      this.ready.catch(() => {});
      return;
    }
    this.ready = this.launch().then(
      () => this.emit('engine.restarted', { pid: this.child?.pid ?? null }),
      (error: unknown) => {
        this.failed = error instanceof Error ? error.message : String(error);
        throw error;
      },
    );
    this.ready.catch(() => {});
  }

  private emit<N extends EventName>(name: N, data: EventData<N>): void {
    const event: TriageEvent = { name, at: new Date().toISOString(), runId: 'engine', data };
    for (const listener of this.listeners) listener(event);
  }

  private receive(child: EngineChild, message: EngineMessage): void {
    if (message.type === 'event') {
      for (const listener of this.listeners) listener(message.event);
    } else if (message.type === 'result') {
      this.pending.get(message.id)?.resolve(message.result);
      this.pending.delete(message.id);
    } else if (message.type === 'ask') {
      const call = this.pending.get(message.id);
      void answerFileQuestion(call?.context ?? {}, message.question).then(
        (value) => child.post({ type: 'answer', id: message.id, ask: message.ask, value }),
        () => child.post({ type: 'answer', id: message.id, ask: message.ask, value: null }),
      );
    }
  }

  async call(method: string, args: unknown, context: CallContext = {}): Promise<CallResult> {
    if (this.closed)
      return { ok: false, error: { code: 'ENGINE_STOPPED', message: 'the engine was shut down' } };
    try {
      await this.start();
    } catch (error) {
      return {
        ok: false,
        error: {
          code: 'ENGINE_FAILED',
          message: `the engine cannot run: ${error instanceof Error ? error.message : String(error)}`,
        },
      };
    }
    const child = this.child;
    if (!child) return crashed('it was restarting');
    const id = this.nextId++;
    const canAsk = (['bundleToOpen', 'exportTarget'] as const).filter((what) => context[what] !== undefined);
    return new Promise<CallResult>((resolve) => {
      this.pending.set(id, { resolve, context });
      // the method name is checked by the engine (dispatch): an unknown one answers UNKNOWN_METHOD
      child.post({ type: 'call', id, method: method as never, args, canAsk: [...canAsk] });
    });
  }

  onEvent(listener: (event: TriageEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Ends the engine: a shutdown message, then a kill after the grace; resolves once it exited. */
  async close(): Promise<void> {
    this.closed = true;
    const child = this.child;
    if (!child) return;
    child.post({ type: 'shutdown' });
    const grace = setTimeout(() => child.kill(), this.options.shutdownGraceMs ?? 1500);
    await this.exited;
    clearTimeout(grace);
    for (const call of this.pending.values())
      call.resolve({ ok: false, error: { code: 'ENGINE_STOPPED', message: 'the engine was shut down' } });
    this.pending.clear();
  }
}

async function answerFileQuestion(context: CallContext, question: FileQuestion): Promise<unknown> {
  if (question.what === 'bundleToOpen') return (await context.bundleToOpen?.()) ?? null;
  return (await context.exportTarget?.(question.fileName)) ?? null;
}
