import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseConfig } from '../../core/config/load';
import { resourcesDir } from '../../core/config/resources';
import { TriageError, UsageError } from '../../core/errors';
import { TriageService } from '../../core/service';
import { startLab, type Lab } from '../../lab';
import { parseFlags, parsePort } from '../args';
import { SERVE_HELP } from '../help';
import type { CliIo } from '../io';
import { cliPeerHosts } from '../peer-hosts';
import { waitForStop } from '../wait-for-stop';
import { startServe } from '../serve';
import { isLoopbackHost, MIN_TOKEN_LENGTH, newToken } from '../serve-auth';

export const DEFAULT_SERVE_PORT = 7357;
/** The server's access token; a random one when unset. */
export const SERVE_TOKEN_ENV = 'RTC_TRIAGE_SERVE_TOKEN';

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
    lab: { type: 'boolean' },
  });
  if (values.help) {
    io.out(SERVE_HELP);
    return 0;
  }
  const port = values.port === undefined ? DEFAULT_SERVE_PORT : parsePort('--port', values.port);
  const host = values.host ?? '127.0.0.1';
  const token = accessToken();
  const dir = rendererDir();
  if (!existsSync(join(dir, 'index.html'))) {
    throw new TriageError(
      'NOT_FOUND',
      `the UI is not built (${dir} is missing): run \`npm run build\` first`,
    );
  }
  let lab: Lab | null = null;
  let service: TriageService | null = null;
  const { stopped, release } = waitForStop(stop);
  try {
    if (values.lab) lab = await startLab();
    service = new TriageService({
      ...(values.config ? { configPath: values.config } : {}),
      ...(values.db ? { dbPath: values.db } : {}),
      ...(lab ? { lab: parseConfig(lab.config, 'lab') } : {}),
      face: 'serve',
      ...cliPeerHosts(),
      version: io.version,
      useSavedSettings: true,
    });
    const server = await startServe({
      service,
      host,
      port,
      rendererDir: dir,
      token,
    });
    // Warnings first: whoever waits for the address line has them by then.
    if (lab) io.err('the embedded lab is running on loopback and is tested as layer L1');
    if (!isLoopbackHost(host))
      io.err(`warning: listening on ${host}, reachable from other machines; requests need the token below`);
    const schedule = await service.resumeSchedule();
    if (schedule.enabled)
      io.err(`the monitor is on (saved schedule): a diagnosis every ${schedule.everyMs / 1000} s`);
    io.out(`RTC Triage is running at ${server.address} (Ctrl-C to stop)`);
    await stopped;
    await server.close();
    return 0;
  } finally {
    service?.close();
    await lab?.close();
    release();
  }
}

/**
 * $RTC_TRIAGE_SERVE_TOKEN or a random one, on loopback too: every user of this machine can reach
 * 127.0.0.1, and the API hands out saved TURN credentials and unredacted bundles.
 */
function accessToken(): string {
  const fromEnv = process.env[SERVE_TOKEN_ENV];
  if (fromEnv === undefined || fromEnv === '') return newToken();
  if (fromEnv.length < MIN_TOKEN_LENGTH)
    throw new UsageError(`${SERVE_TOKEN_ENV} must be at least ${MIN_TOKEN_LENGTH} characters`);
  return fromEnv;
}
