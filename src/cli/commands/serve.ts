import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { MonitorStatus } from '../../contract';
import { resourcesDir } from '../../core/config/resources';
import { TriageError, UsageError } from '../../core/errors';
import { EngineSupervisor, forkEngine } from '../../core/engine/supervisor';
import { startLab, type Lab } from '../../lab';
import { parseFlags, parsePort } from '../args';
import { SERVE_HELP } from '../help';
import type { CliIo } from '../io';
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
  let engine: EngineSupervisor | null = null;
  const { stopped, release } = waitForStop(stop);
  try {
    if (values.lab) lab = await startLab();
    // the engine runs in its own process (dist/engine.cjs), as in the desktop app: this one only
    // answers HTTP; a crashed engine is restarted and the page is told
    engine = new EngineSupervisor({
      spawn: forkEngine(join(__dirname, 'engine.cjs')),
      options: {
        face: 'serve',
        version: io.version,
        useSavedSettings: true,
        resumeSchedule: true,
        ...(values.config ? { configPath: resolve(values.config) } : {}),
        ...(values.db ? { dbPath: resolve(values.db) } : {}),
        ...(lab ? { lab: lab.config } : {}),
        peerHosts: { entry: join(__dirname, 'peer-host.cjs') },
      },
    });
    await engine.start();
    const server = await startServe({ engine, host, port, rendererDir: dir, token });
    // Warnings first: whoever waits for the address line has them by then.
    if (lab) io.err('the embedded lab is running on loopback and is tested as layer L1');
    if (!isLoopbackHost(host))
      io.err(`warning: listening on ${host}, reachable from other machines; requests need the token below`);
    const schedule = await engine.call('monitorStatus', {});
    if (schedule.ok) {
      const status = schedule.value as MonitorStatus;
      if (status.enabled)
        io.err(`the monitor is on (saved schedule): a diagnosis every ${status.everyMs / 1000} s`);
    }
    io.out(`RTC Triage is running at ${server.address} (Ctrl-C to stop)`);
    await stopped;
    await server.close();
    return 0;
  } finally {
    await engine?.close();
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
