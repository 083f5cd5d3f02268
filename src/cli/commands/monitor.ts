import { MONITOR_MAX_EVERY_MS, MONITOR_MIN_EVERY_MS, type TriageEvent } from '../../contract';
import { loadConfigFile, parseConfig } from '../../core/config/load';
import { defaultConfigPath } from '../../core/config/resources';
import { UsageError } from '../../core/errors';
import { TriageService } from '../../core/service';
import { createLogger, logEvent, startMetricsServer, type MetricsServer } from '../../core/telemetry';
import { startLab, type Lab } from '../../lab';
import { parseDuration, parseFlags, parsePort } from '../args';
import { MONITOR_HELP } from '../help';
import type { CliIo } from '../io';
import { cliPeerHosts } from '../peer-hosts';
import { waitForStop } from '../wait-for-stop';

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/;
/** What the monitor prints on stdout: one JSON line per cycle, alert and recovery (the file log has every event). */
const PRINTED = new Set([
  'monitor.started',
  'monitor.cycle',
  'monitor.alert',
  'monitor.recovered',
  'monitor.stopped',
]);

function count(flag: string, value: string | undefined, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 1_000_000)
    throw new UsageError(`${flag}: "${value}" is not a count (1 or more)`);
  return n;
}

/**
 * `rtc-triage monitor`: scheduled diagnoses kept in the history, alert episodes as JSON log lines on
 * stdout, and `/metrics` for Prometheus, until SIGINT/SIGTERM (or `--cycles` diagnoses).
 * Exit code: 0, or 1 when an alert episode is still going on at exit.
 */
export async function monitorCommand(argv: string[], io: CliIo, stop?: AbortSignal): Promise<number> {
  const { values } = parseFlags('monitor', argv, {
    every: { type: 'string' },
    'metrics-port': { type: 'string' },
    'metrics-host': { type: 'string' },
    config: { type: 'string' },
    db: { type: 'string' },
    lab: { type: 'boolean' },
    cycles: { type: 'string' },
    'raise-after': { type: 'string' },
    'clear-after': { type: 'string' },
  });
  if (values.help) {
    io.out(MONITOR_HELP);
    return 0;
  }
  const everyMs = parseDuration('--every', values.every ?? '60s');
  if (everyMs < MONITOR_MIN_EVERY_MS || everyMs > MONITOR_MAX_EVERY_MS)
    throw new UsageError(`--every: "${values.every}" is out of range (1s to 24h)`);
  const metricsPort =
    values['metrics-port'] === undefined ? null : parsePort('--metrics-port', values['metrics-port']);
  const metricsHost = values['metrics-host'] ?? '127.0.0.1';
  if (values['metrics-host'] !== undefined && metricsPort === null)
    throw new UsageError('--metrics-host: only with --metrics-port');
  const maxCycles = count('--cycles', values.cycles);
  const raiseAfter = count('--raise-after', values['raise-after']);
  const clearAfter = count('--clear-after', values['clear-after']);

  // Validate the config before starting anything, so a bad file costs nothing.
  const configPath = values.config ?? defaultConfigPath();
  const config = loadConfigFile(configPath);
  const { stopped, release } = waitForStop(stop);
  let lab: Lab | null = null;
  let service: TriageService | null = null;
  let server: MetricsServer | null = null;
  try {
    if (values.lab) lab = await startLab();
    service = new TriageService({
      config,
      configPath,
      ...(values.db ? { dbPath: values.db } : {}),
      ...(lab ? { lab: parseConfig(lab.config, 'lab') } : {}),
      face: 'monitor',
      ...cliPeerHosts(),
      version: io.version,
    });
    const stdout = createLogger(
      {
        face: 'monitor',
        version: io.version,
        env: process.env.RTC_TRIAGE_ENV?.trim() || 'local',
        flags: config.flags,
      },
      { write: (line: string) => io.out(line) },
    );
    service.onEvent((event: TriageEvent) => {
      if (PRINTED.has(event.name)) logEvent(stdout, event);
    });
    const metrics = service.telemetry?.enabled ? service.telemetry.metrics : null;
    if (metricsPort !== null && !metrics) {
      io.err('rtc-triage: --metrics-port ignored: flags.telemetry is off in the config');
    } else if (metricsPort !== null && metrics) {
      if (!LOOPBACK.test(metricsHost))
        io.err(`warning: metrics on ${metricsHost} are reachable from other machines`);
      server = await startMetricsServer({ metrics, host: metricsHost, port: metricsPort });
      metrics.monitorState({ enabled: true, everyMs });
      stdout.info({ event: 'monitor.metrics', url: server.url }, `metrics at ${server.url}`);
    }
    for (const problem of service.telemetry?.problems ?? []) io.err(`warning: ${problem}`);
    io.err(
      `monitoring ${service.listTargets().length} target(s)${lab ? ' plus the embedded lab' : ''} every ${everyMs / 1000} s` +
        `${maxCycles ? ` for ${maxCycles} cycle(s)` : ''}; history: ${service.dbPath}` +
        `${service.telemetry?.logPath ? `; log: ${service.telemetry.logPath}` : ''} (Ctrl-C to stop)`,
    );
    const monitor = service.startMonitor({
      everyMs,
      ...(maxCycles !== undefined ? { maxCycles } : {}),
      ...(raiseAfter !== undefined ? { raiseAfter } : {}),
      ...(clearAfter !== undefined ? { clearAfter } : {}),
    });
    await Promise.race([stopped, monitor.done]);
    await monitor.stop();
    const active = monitor.status().active.length;
    await service.telemetry?.flush();
    return active > 0 ? 1 : 0;
  } finally {
    await server?.close();
    await service?.telemetry?.close();
    service?.close();
    await lab?.close();
    release();
  }
}
