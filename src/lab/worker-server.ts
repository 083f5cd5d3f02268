import { Worker } from 'node:worker_threads';

export interface WorkerServer {
  port: number;
  close(): Promise<void>;
}

/**
 * Runs a server whose library cannot be shut down cleanly (GUN and the PeerJS server leave intervals
 * running) in a worker thread: `close()` terminates the thread, and everything it opened goes with it.
 * `code` is CommonJS run with `workerData`; it must post `{ port }` when listening or `{ error }`.
 * The worker's stdout/stderr are swallowed so a chatty library cannot corrupt `lab --json` output.
 */
export function startWorkerServer(
  name: string,
  code: string,
  workerData: Record<string, unknown>,
): Promise<WorkerServer> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData, stdout: true, stderr: true });
    worker.stdout.resume();
    worker.stderr.resume();
    let closing: Promise<void> | null = null;
    const close = () => {
      closing ??= worker.terminate().then(() => undefined);
      return closing;
    };
    worker.once('message', (message: { port?: number; error?: string }) => {
      if (typeof message.port === 'number') resolve({ port: message.port, close });
      else {
        void close();
        reject(new Error(`${name} did not start: ${message.error ?? 'unknown error'}`));
      }
    });
    worker.once('error', (error) => {
      void close();
      reject(new Error(`${name} failed: ${error.message}`));
    });
  });
}
