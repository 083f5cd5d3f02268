import { randomBytes } from 'node:crypto';
import { createWriteStream, lstatSync, renameSync, rmSync, statSync, type Stats } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import {
  BUNDLE_FILES,
  BUNDLE_FORMAT,
  type BundleManifest,
  type BundlePatterns,
  type BundleVerdict,
  type Config,
  type Pattern,
  type Verdict,
} from '../../contract';
import { historyReport } from '../analysis/history-verdict';
import { TriageError, errorMessage } from '../errors';
import { CallStore } from '../store/calls';
import type { HistoryStore } from '../store/history';
import { WindowRows } from './collect';
import { bundleConfig, configuredHosts, configuredSecrets } from './config';
import { collectEnvironment, type EnvironmentSource } from './environment';
import { Redactor } from './redact';
import { recentLogLines, type LogSource } from './logs';
import { runtimeFacts } from './runtime';

export interface ExportOptions {
  store: HistoryStore;
  /** Start of the exported window. */
  since: Date;
  /** Redaction (the default everywhere a user can export): `false` only for an explicit `--no-redact`. */
  redact: boolean;
  out: string;
  /** The config in use; its secrets are removed whatever `redact` says. */
  config?: Config | null;
  verdict?: Verdict;
  patterns?: Pattern[];
  appVersion?: string;
  /** This machine's names to remove (tests pass their own); default: `os.hostname()` and the user name. */
  machine?: { hostname: string; username: string };
  environment?: EnvironmentSource;
  /** The JSON log to take the window's recent lines from (default: none, an empty logs.ndjson). */
  logs?: LogSource | null;
  now?: Date;
}

export interface ExportResult {
  file: string;
  manifest: BundleManifest;
}

const ROWS_PER_CHUNK = 500;

/**
 * Refuses, before anything is read or written, a destination the bundle cannot replace safely: a
 * folder that does not exist, or an existing name that is not a regular file (a device such as
 * /dev/full, a folder, a symbolic link), which the final rename would otherwise replace.
 */
function checkBundleTarget(out: string): void {
  const refuse = (why: string) =>
    new TriageError('ARGUMENT_INVALID', `cannot write the bundle ${out}: ${why}`, { field: 'out' });
  const folder = dirname(out);
  let stat: Stats;
  try {
    stat = statSync(folder);
  } catch {
    throw refuse(`the folder ${folder} does not exist`);
  }
  if (!stat.isDirectory()) throw refuse(`${folder} is not a folder`);
  try {
    stat = lstatSync(out);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw refuse(errorMessage(error));
  }
  if (!stat.isFile())
    throw refuse('it exists and is not a regular file (a device, folder or link); choose another name');
}

/**
 * Writes one bundle zip. The zip is written next to `out` under a temporary name and renamed when
 * complete, so a failed export never leaves a half bundle where the user expects one.
 */
export async function exportBundle(options: ExportOptions): Promise<ExportResult> {
  checkBundleTarget(options.out);
  const now = options.now ?? new Date();
  const config = options.config ?? null;
  const rows = new WindowRows(options.store.database, options.since.getTime());
  const storedTargets = [...rows.targets()];
  const machine = options.machine ?? currentMachine();
  const redactor = new Redactor({
    addresses: options.redact,
    keepHosts: configuredHosts([...(config?.targets ?? []), ...storedTargets]),
    secrets: configuredSecrets(config),
    machineNames: [machine.hostname, machine.username],
  });

  const logs = recentLogLines(options.logs ?? null, options.since, redactor);
  // imported calls are stored redacted already; they go through this bundle's redactor all the same
  const calls = [...new CallStore(options.store.database).importedSince(options.since.getTime())];
  const files = Object.values(BUNDLE_FILES);
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    bundleId: randomBytes(8).toString('hex'),
    appVersion: options.appVersion ?? '0.0.0',
    createdAt: now.toISOString(),
    since: options.since.toISOString(),
    redacted: options.redact,
    ...runtimeFacts(),
    counts: { ...rows.counts(), calls: calls.length },
    files,
    logs: logs.summary,
  };
  // The OS release string can carry a host-specific kernel name; it goes through the redactor too.
  manifest.os = redactor.value(manifest.os);

  // The row streams read the database lazily, while the zip is written: a write that fails part way
  // (full disk, no permission) must stop them before the caller closes the store, or they would go
  // on reading a closed database and crash the process.
  const streams: Readable[] = [];
  const stream = <T>(source: () => Iterable<T>): Readable => {
    const readable = ndjson(source, redactor);
    readable.on('error', () => {}); // reported once, through the pipeline below
    streams.push(readable);
    return readable;
  };
  const zip = new ZipFile();
  const entry = { mtime: now, mode: 0o100644 };
  const json = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
  zip.addBuffer(json(manifest), BUNDLE_FILES.manifest, entry);
  zip.addBuffer(json(bundleConfig(config, redactor)), BUNDLE_FILES.config, entry);
  zip.addReadStream(
    stream(() => rows.runs()),
    BUNDLE_FILES.runs,
    entry,
  );
  zip.addBuffer(
    Buffer.from(storedTargets.map((t) => `${JSON.stringify(redactor.value(t))}\n`).join('')),
    BUNDLE_FILES.targets,
    entry,
  );
  zip.addReadStream(
    stream(() => rows.attempts()),
    BUNDLE_FILES.attempts,
    entry,
  );
  zip.addReadStream(
    stream(() => rows.events()),
    BUNDLE_FILES.events,
    entry,
  );
  const { verdict, patterns } = verdictsAtExport(options, now);
  zip.addBuffer(json(redactor.value(verdict)), BUNDLE_FILES.verdict, entry);
  zip.addBuffer(json(redactor.value(patterns)), BUNDLE_FILES.patterns, entry);
  zip.addBuffer(
    json(collectEnvironment(redactor, options.environment ?? {})),
    BUNDLE_FILES.environment,
    entry,
  );
  zip.addBuffer(logs.ndjson, BUNDLE_FILES.logs, entry);
  zip.addBuffer(
    Buffer.from(calls.map((call) => `${JSON.stringify(redactor.value(call))}\n`).join('')),
    BUNDLE_FILES.calls,
    entry,
  );
  zip.end();

  const partial = join(
    dirname(options.out),
    `.${basename(options.out)}.${randomBytes(4).toString('hex')}.partial`,
  );
  try {
    await pipeline(zip.outputStream, createWriteStream(partial, { mode: 0o600, flags: 'wx' }));
    renameSync(partial, options.out);
  } catch (error) {
    for (const readable of streams) readable.destroy();
    (zip.outputStream as unknown as Readable).destroy();
    rmSync(partial, { force: true });
    throw new TriageError('INTERNAL', `cannot write the bundle ${options.out}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  return { file: options.out, manifest };
}

function currentMachine(): { hostname: string; username: string } {
  let username: string;
  try {
    username = userInfo().username;
  } catch {
    username = process.env.USER ?? process.env.USERNAME ?? '';
  }
  return { hostname: hostname(), username };
}

/** NDJSON from a lazy row source, redacted row by row; the query starts only when the zip reaches this entry. */
function ndjson<T>(rows: () => Iterable<T>, redactor: Redactor): Readable {
  function* chunks(): Generator<string> {
    let chunk: string[] = [];
    for (const row of rows()) {
      chunk.push(JSON.stringify(redactor.value(row)));
      if (chunk.length >= ROWS_PER_CHUNK) {
        yield `${chunk.join('\n')}\n`;
        chunk = [];
      }
    }
    if (chunk.length) yield `${chunk.join('\n')}\n`;
  }
  return Readable.from(chunks(), { objectMode: false });
}

/** The newest diagnosis and the history analysis of the window; either may be missing, neither is fatal. */
function verdictsAtExport(
  options: ExportOptions,
  now: Date,
): { verdict: BundleVerdict; patterns: BundlePatterns } {
  const last = options.store.lastReport();
  let history: ReturnType<typeof historyReport> | null;
  try {
    history = historyReport(options.store.queries, { from: options.since.getTime(), to: now.getTime() });
  } catch {
    // The analysis is a convenience here: the raw attempts in the bundle are the evidence.
    history = null;
  }
  return {
    verdict: {
      lastReport: last
        ? { runId: last.runId, finishedAt: last.finishedAt, verdict: last.verdict, targets: last.targets }
        : null,
      history: history
        ? {
            since: history.since,
            until: history.until,
            verdict: history.verdict,
            note: history.note,
            targets: history.targets,
          }
        : null,
      given: options.verdict ?? null,
    },
    patterns: {
      lastReport: last?.patterns ?? [],
      history: history?.patterns ?? [],
      given: options.patterns ?? null,
    },
  };
}
