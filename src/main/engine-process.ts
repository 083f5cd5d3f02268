import type { EngineChild, SpawnEngine } from '../core/engine/supervisor';

/** The part of Electron's `utilityProcess` this module uses; tests never need it (they fork under Node). */
export interface UtilityProcessApi {
  fork(
    modulePath: string,
    args?: string[],
    options?: { serviceName?: string; stdio?: 'inherit' | 'ignore' | 'pipe'; env?: NodeJS.ProcessEnv },
  ): UtilityChild;
}
interface UtilityChild {
  readonly pid: number | undefined;
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  once(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

/**
 * The engine (dist/engine.cjs) as an Electron utility process: a Node.js child with Electron's ABI,
 * off the main process, ended by Electron with the app. The supervisor restarts it when it dies.
 */
export function utilityEngine(
  utilityProcess: UtilityProcessApi,
  entry: string,
  env: NodeJS.ProcessEnv,
): SpawnEngine {
  return (): EngineChild => {
    const child = utilityProcess.fork(entry, [], { serviceName: 'RTC Triage engine', stdio: 'inherit', env });
    return {
      get pid() {
        return child.pid;
      },
      post: (message) => child.postMessage(message),
      onMessage: (listener) => child.on('message', listener),
      onExit: (listener) => child.once('exit', (code) => listener(`exit code ${code}`)),
      kill: () => child.kill(),
    };
  };
}
