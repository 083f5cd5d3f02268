import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { resourcesDir } from '../../core/config/resources';
import { TriageError } from '../../core/errors';
import { TriageService } from '../../core/service';
import { parseFlags, parsePort } from '../args';
import { SERVE_HELP } from '../help';
import type { CliIo } from '../io';
import { waitForStop } from '../wait-for-stop';
import { startServe } from '../serve';

export const DEFAULT_SERVE_PORT = 7357;

export function rendererDir(): string {
  return join(dirname(resourcesDir()), 'out', 'renderer');
}

/** `rtc-triage serve`: the desktop UI over HTTP on this machine, until SIGINT/SIGTERM. */
export async function serveCommand(argv: string[], io: CliIo, stop?: AbortSignal): Promise<number> {
  const { values } = parseFlags('serve', argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    config: { type: 'string' },
    db: { type: 'string' },
  });
  if (values.help) {
    io.out(SERVE_HELP);
    return 0;
  }
  const port = values.port === undefined ? DEFAULT_SERVE_PORT : parsePort('--port', values.port);
  const host = values.host ?? '127.0.0.1';
  const dir = rendererDir();
  if (!existsSync(join(dir, 'index.html'))) {
    throw new TriageError(
      'NOT_FOUND',
      `the UI is not built (${dir} is missing): run \`npm run build\` first`,
    );
  }
  const service = new TriageService({
    ...(values.config ? { configPath: values.config } : {}),
    ...(values.db ? { dbPath: values.db } : {}),
    face: 'serve',
    version: io.version,
  });
  const { stopped, release } = waitForStop(stop);
  try {
    const server = await startServe({ service, host, port, rendererDir: dir });
    io.out(`RTC Triage is running at ${server.url} (Ctrl-C to stop)`);
    if (!/^(127\.|::1$|localhost$)/.test(host))
      io.err(`warning: listening on ${host}, reachable from other machines`);
    await stopped;
    await server.close();
    return 0;
  } finally {
    service.close();
    release();
  }
}
