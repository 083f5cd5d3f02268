import { resolve } from 'node:path';
import type { Config } from '../../contract';
import { loadConfigFile } from '../../core/config/load';
import { defaultConfigPath } from '../../core/config/resources';
import { UsageError } from '../../core/errors';
import { parseFlags, parseWindow } from '../args';
import type { CliIo } from '../io';
import { openReadingService } from '../reading-service';

export const EXPORT_HELP = `Usage: rtc-triage export --out FILE [--since 24h] [--no-redact] [--db FILE] [--config FILE]

Writes a diagnostic bundle (one zip) to attach to a support ticket: the runs, attempts and events of
the window, the verdict and patterns at export time, the config without secrets, environment facts
(interfaces, proxies, VPN hints) and the window's recent log lines (the newest 2 MiB at most, from
the logs/ folder next to the history database).

Redaction is on by default: every IP address becomes a token (ip-3f9a1c) that is stable inside the
bundle, this machine's host and user names are removed, TURN usernames/credentials and PeerJS keys
are always removed. Hosts of the servers you configured are kept. See docs/bundles.md.

Options:
  --out FILE      where to write the bundle (.zip)
  --since DUR     how far back to export (default 24h; 1m to 400d, e.g. 30m, 7d)
  --no-redact     keep IP addresses and machine names (noted in the bundle's manifest)
  --db FILE       the history database (default: the per-user data folder)
  --config FILE   the config to include, secrets removed (default: the built-in target list)
  -h, --help      this help

Exit codes: 0 written, 2 bad usage, 3 internal error.`;

export async function exportCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags('export', argv, {
    out: { type: 'string' },
    since: { type: 'string' },
    'no-redact': { type: 'boolean' },
    db: { type: 'string' },
    config: { type: 'string' },
  });
  if (values.help) {
    io.out(EXPORT_HELP);
    return 0;
  }
  if (!values.out) throw new UsageError('export: --out FILE is required (where to write the bundle)');
  const sinceMs = parseWindow('--since', values.since ?? '24h');
  const configFile = values.config;
  const config = () =>
    configFile ? { config: loadConfigFile(configFile), path: configFile } : defaultConfig();
  // explicit every time: --no-redact (or its absence) wins over a redaction setting saved in the UI
  const redact = !values['no-redact'];
  const file = resolve(values.out);
  const service = openReadingService({ command: 'export', db: values.db, version: io.version, config });
  try {
    const manifest = await service.exportBundle({ out: file, sinceMs, redact });
    const c = manifest.counts;
    io.out(
      `wrote ${file}: ${c.runs} runs, ${c.attempts} attempts, ${c.events} events since ${manifest.since}, ` +
        `${manifest.logs?.lines ?? 0} log lines` +
        (redact ? ' (redacted)' : ' (NOT redacted: contains IP addresses and machine names)'),
    );
    return 0;
  } finally {
    service.close();
  }
}

/** The built-in public target list: what a diagnosis without --config used. Missing is not an error. */
function defaultConfig(): { config: Config; path: string } | null {
  const path = defaultConfigPath();
  try {
    return { config: loadConfigFile(path), path };
  } catch {
    return null;
  }
}
