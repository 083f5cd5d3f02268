import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportCommand } from '../../src/cli/commands/export';
import { formatBundle, inspectCommand } from '../../src/cli/commands/inspect';
import { BUNDLE_FILES } from '../../src/contract';
import { BundleError, exportBundle, openBundle } from '../../src/core/bundle';
import { readZipEntries } from '../../src/core/bundle/safe-zip';
import { dispatch } from '../../src/core/engine/dispatch';
import { TriageService } from '../../src/core/service';
import { HistoryStore } from '../../src/core/store/history';
import { createLogger, logEvent, RotatingLogFile } from '../../src/core/telemetry';
import {
  CONFIG,
  MACHINE,
  SECRET_ADDRESSES as A,
  TURN_CREDENTIAL,
  TURN_USER,
  buildHistory,
  captureIo,
  tempDir,
} from '../bundle/fixture';
import { rawZip } from '../bundle/zip-writer';

/** A history plus a log beside it (logs/ next to history.db), rich in what redaction must remove. */
function historyWithLogs(now = Date.now()) {
  const dir = tempDir('rtc-triage-bundle-logs-');
  const { dbPath } = buildHistory(dir, now);
  const logDir = join(dir, 'logs');
  const file = new RotatingLogFile({ dir: logDir });
  const logger = createLogger({ face: 'cli', version: 't', env: 'local', flags: CONFIG.flags }, file);
  // One line from before the window: it must not be taken.
  file.write(
    `${JSON.stringify({ time: new Date(now - 3 * 86_400_000).toISOString(), level: 'info', msg: 'old line' })}\n`,
  );
  logEvent(logger, {
    name: 'attempt.finished',
    at: new Date(now).toISOString(),
    runId: 'run-1',
    correlationId: 'corr-2',
    attemptId: 'att-2',
    targetId: 'turn-a',
    data: {
      probe: 'turn-allocation',
      outcome: 'error',
      errorClass: 'server-error',
      message: `401 for ${TURN_USER} from ${A.hostV4} on ${MACHINE.hostname}`,
      credential: TURN_CREDENTIAL,
      candidate: `candidate:3 1 udp 1686052607 ${A.srflxV4} 61000 typ srflx raddr ${A.hostV4} rport 54321`,
    },
  });
  logEvent(logger, {
    name: 'monitor.alert',
    at: new Date(now).toISOString(),
    runId: 'run-1',
    data: { key: 'target:turn-a', title: `TURN server down, seen from ${A.hostV6}` },
  });
  file.close();
  // A foreign pino line (default options) with the host name field our logger leaves out.
  appendFileSync(
    join(logDir, 'rtc-triage.log'),
    `${JSON.stringify({ level: 30, time: now, pid: 1, hostname: MACHINE.hostname, msg: `hello from ${A.relayV4}` })}\n`,
  );
  return { dir, dbPath, logDir };
}

async function exportWith(
  dbPath: string,
  out: string,
  options: { redact: boolean; logDir?: string; maxBytes?: number },
) {
  const store = HistoryStore.open(dbPath, { retentionDays: 0 });
  try {
    return await exportBundle({
      store,
      since: new Date(Date.now() - 86_400_000),
      redact: options.redact,
      out,
      config: CONFIG,
      machine: MACHINE,
      ...(options.logDir ? { logs: { dir: options.logDir, maxBytes: options.maxBytes } } : {}),
    });
  } finally {
    store.close();
  }
}

describe('recent logs in the bundle', () => {
  it('takes the window’s log lines, redacted like everything else', async () => {
    const { dir, dbPath, logDir } = historyWithLogs();
    const { file, manifest } = await exportWith(dbPath, join(dir, 'b.zip'), { redact: true, logDir });
    expect(manifest.files).toContain(BUNDLE_FILES.logs);
    expect(manifest.logs).toMatchObject({ lines: 3, truncated: false, skipped: 0 });
    const raw = (await readZipEntries(file, new Set([BUNDLE_FILES.logs]))).get(BUNDLE_FILES.logs)?.toString();
    for (const secret of [
      ...Object.values(A),
      TURN_USER,
      TURN_CREDENTIAL,
      MACHINE.hostname,
      'hostname',
      'old line',
    ])
      expect(raw, secret).not.toContain(secret);

    const bundle = await openBundle(file);
    expect(bundle.logs.map((l) => l.msg)).toEqual([
      expect.stringContaining('turn-allocation → turn-a: error'),
      expect.stringContaining('ALERT'),
      expect.stringMatching(/^hello from ip-[0-9a-f]{6,}$/),
    ]);
    const finished = bundle.logs[0] as unknown as { data: Record<string, string>; correlationId: string };
    expect(finished.correlationId).toBe('corr-2');
    expect(finished.data.credential).toBe('[secret]');
    expect(finished.data.message).toContain('[machine]');
    // One address, one token, across files of the bundle: the log line and the stored event agree.
    const tokenInLog = /raddr (\S+) rport/.exec(String(finished.data.candidate))?.[1];
    const event = bundle.events.find((e) => e.name === 'ice.candidate');
    expect(tokenInLog).toMatch(/^ip-[0-9a-f]{6,}$/);
    expect(String(event?.data?.candidate)).toContain(`raddr ${tokenInLog} rport`);
    expect(formatBundle(bundle)).toMatch(/Logs: 3 lines from .* 2 warnings\/errors/);
  });

  it('a bundle exported through the service (every UI face) takes the same log lines as the CLI', async () => {
    const { dir, dbPath } = historyWithLogs();
    const service = new TriageService({
      config: CONFIG,
      dbPath,
      face: 'serve',
      version: 't',
      telemetry: false,
    });
    try {
      const out = join(dir, 'ui.zip');
      const result = await dispatch(
        service,
        'exportBundle',
        {},
        { exportTarget: async () => ({ path: out, download: null }) },
      );
      expect(result.ok).toBe(true);
      const bundle = await openBundle(out);
      expect(bundle.manifest.logs).toMatchObject({ lines: 3, truncated: false });
      expect(bundle.logs.map((l) => l.msg)).toEqual([
        expect.stringContaining('turn-allocation → turn-a: error'),
        expect.stringContaining('ALERT'),
        expect.stringMatching(/^hello from ip-[0-9a-f]{6,}$/),
      ]);
    } finally {
      service.close();
    }
  });

  it('keeps addresses with --no-redact, but never the TURN secrets', async () => {
    const { dir, dbPath, logDir } = historyWithLogs();
    const { file } = await exportWith(dbPath, join(dir, 'plain.zip'), { redact: false, logDir });
    const bundle = await openBundle(file);
    const text = JSON.stringify(bundle.logs);
    expect(text).toContain(A.hostV4);
    expect(text).not.toContain(TURN_CREDENTIAL);
    expect(text).not.toContain(TURN_USER);
  });

  it('takes at most maxBytes, newest first, and says so', async () => {
    const { dir, dbPath, logDir } = historyWithLogs();
    const file = new RotatingLogFile({ dir: logDir });
    for (let i = 0; i < 400; i++)
      file.write(
        `${JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: `filler ${i}` })}\n`,
      );
    file.close();
    const { file: zip, manifest } = await exportWith(dbPath, join(dir, 'cut.zip'), {
      redact: true,
      logDir,
      maxBytes: 4000,
    });
    expect(manifest.logs?.truncated).toBe(true);
    const bundle = await openBundle(zip);
    expect(bundle.logs.at(-1)?.msg).toBe('filler 399');
    expect(bundle.logs.length).toBeLessThan(100);
    expect(formatBundle(bundle)).toContain('older lines cut to stay within 4000 bytes');
  });

  it('a bundle from before log collection still opens, with no logs', async () => {
    const { dir, dbPath } = historyWithLogs();
    const { file } = await exportWith(dbPath, join(dir, 'new.zip'), { redact: true });
    const entries = await readZipEntries(file, new Set(Object.values(BUNDLE_FILES)));
    const manifest = JSON.parse(String(entries.get(BUNDLE_FILES.manifest))) as Record<string, unknown>;
    delete manifest.logs;
    manifest.files = (manifest.files as string[]).filter((f) => f !== BUNDLE_FILES.logs);
    const old = [...entries]
      .filter(([name]) => name !== BUNDLE_FILES.logs)
      .map(([name, data]) => ({
        name,
        data: name === BUNDLE_FILES.manifest ? Buffer.from(JSON.stringify(manifest)) : data,
      }));
    const oldFile = join(dir, 'old.zip');
    writeFileSync(oldFile, rawZip(old));
    const bundle = await openBundle(oldFile);
    expect(bundle.logs).toEqual([]);
    expect(formatBundle(bundle)).toContain('Logs: none (this bundle predates log collection).');
  });

  it('refuses a logs entry whose line is not a log line, naming the line', async () => {
    const { dir, dbPath, logDir } = historyWithLogs();
    const { file } = await exportWith(dbPath, join(dir, 'ok.zip'), { redact: true, logDir });
    const entries = await readZipEntries(file, new Set(Object.values(BUNDLE_FILES)));
    const bad = [...entries].map(([name, data]) => ({
      name,
      data: name === BUNDLE_FILES.logs ? Buffer.from(`${String(data)}{"msg":"no time or level"}\n`) : data,
    }));
    const badFile = join(dir, 'bad.zip');
    writeFileSync(badFile, rawZip(bad));
    const error = await openBundle(badFile).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BundleError);
    expect((error as BundleError).message).toMatch(/logs\.ndjson line 4 does not match its schema/);
  });

  it('the export command takes the log next to the history, and inspect shows it', async () => {
    const { dir, dbPath } = historyWithLogs();
    const out = join(dir, 'ticket.zip');
    const e = captureIo();
    expect(await exportCommand(['--out', out, '--db', dbPath, '--since', '1d'], e.io)).toBe(0);
    expect(e.out.join('')).toMatch(/, 3 log lines \(redacted\)/);
    const shown = captureIo();
    expect(await inspectCommand([out], shown.io)).toBe(0);
    expect(shown.out.join('\n')).toMatch(/Logs: 3 lines/);
  });
});
