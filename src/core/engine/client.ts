import type { TriageEvent } from '../../contract';
import type { CallContext } from './protocol';
import type { CallResult } from './protocol';

/**
 * What a face (the Electron IPC adapter, `serve`) needs of the engine: calls by contract method and
 * the event stream. The engine process behind it (supervisor.ts) is the shipped path; tests of a face
 * may put an in-process service behind it instead (in-process.ts).
 */
export interface EngineClient {
  call(method: string, args: unknown, context?: CallContext): Promise<CallResult>;
  onEvent(listener: (event: TriageEvent) => void): () => void;
}
