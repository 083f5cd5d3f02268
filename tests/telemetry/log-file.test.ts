import { appendFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testTempDir } from '../helpers/temp';
import { ConfigSchema } from '../../src/contract';
import { TriageService } from '../../src/core/service';
import { Telemetry, createLogger, logEvent, readRecentLogs, RotatingLogFile } from '../../src/core/telemetry';

const tempDir = () => testTempDir('rtc-triage-logs-');
const line = (time: string, n: number, pad = 0) =>
  `${JSON.stringify({ time, level: 'info', msg: `line ${n}`, pad: 'x'.repeat(pad) })}\n`;

describe('the rotating log file', () => {
  it('never holds more than (1 + keep) × maxBytes, however much is written', () => {
    const dir = tempDir();
    const file = new RotatingLogFile({ dir, maxBytes: 4096, keep: 2 });
    for (let i = 0; i < 2000; i++) file.write(line(new Date(i * 1000).toISOString(), i, 40));
    file.close();
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['rtc-triage.log', 'rtc-triage.log.1', 'rtc-triage.log.2']);
    let total = 0;
    for (const f of files) {
      const size = statSync(join(dir, f)).size;
      expect(size).toBeLessThanOrEqual(4096);
      total += size;
    }
    expect(total).toBeLessThanOrEqual(3 * 4096);
    // Nothing torn: every line of every file is whole JSON, and the newest line is in the current file.
    for (const f of files)
      for (const l of readFileSync(join(dir, f), 'utf8').trim().split('\n'))
        expect(() => JSON.parse(l)).not.toThrow();
    expect(readFileSync(join(dir, 'rtc-triage.log'), 'utf8')).toContain('line 1999');
    expect(file.failures).toBe(0);
  });

  it('two writers on one folder (desktop app and CLI) do not rotate one file twice', () => {
    const dir = tempDir();
    const a = new RotatingLogFile({ dir, maxBytes: 2048, keep: 3 });
    const b = new RotatingLogFile({ dir, maxBytes: 2048, keep: 3 });
    for (let i = 0; i < 300; i++) (i % 2 ? a : b).write(line(new Date(i * 1000).toISOString(), i, 20));
    a.close();
    b.close();
    const all = readdirSync(dir)
      .flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n'))
      .map((l) => (JSON.parse(l) as { msg: string }).msg);
    // The newest lines of both writers survive; nothing is written after close.
    expect(all).toContain('line 299');
    expect(all).toContain('line 298');
    for (const f of readdirSync(dir)) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(2048);
  });

  it('drops a failed write instead of throwing, and is silent after close', () => {
    const dir = tempDir();
    const file = new RotatingLogFile({ dir });
    file.close();
    expect(() => file.write('after close\n')).not.toThrow();
    expect(readFileSync(join(dir, 'rtc-triage.log'), 'utf8')).toBe('');
  });
});

describe('reading the recent part of the log', () => {
  it('takes the lines since a time, oldest first, across rotated files', () => {
    const dir = tempDir();
    const file = new RotatingLogFile({ dir, maxBytes: 2048, keep: 3 });
    const t0 = Date.parse('2026-03-01T00:00:00Z');
    for (let i = 0; i < 60; i++) file.write(line(new Date(t0 + i * 60_000).toISOString(), i, 10));
    file.close();
    const recent = readRecentLogs(dir, { since: new Date(t0 + 40 * 60_000), maxBytes: 1 << 20 });
    expect(recent.lines.map((l) => l.msg)).toEqual(Array.from({ length: 20 }, (_, i) => `line ${40 + i}`));
    expect(recent.truncated).toBe(false);
  });

  it('keeps within maxBytes, newest first, and says when older lines of the window were cut', () => {
    const dir = tempDir();
    const file = new RotatingLogFile({ dir, maxBytes: 1 << 20 });
    for (let i = 0; i < 500; i++)
      file.write(line(new Date(Date.now() - (500 - i) * 1000).toISOString(), i, 100));
    file.close();
    const recent = readRecentLogs(dir, { since: new Date(0), maxBytes: 10_000 });
    const bytes = recent.lines.reduce((n, l) => n + JSON.stringify(l).length + 1, 0);
    expect(bytes).toBeLessThanOrEqual(10_000);
    expect(recent.lines.at(-1)?.msg).toBe('line 499');
    expect(recent.lines.length).toBeGreaterThan(10);
    expect(recent.truncated).toBe(true);
  });

  it('skips torn or foreign lines (a crash mid-write) and counts them', () => {
    const dir = tempDir();
    const file = new RotatingLogFile({ dir });
    file.write(line(new Date().toISOString(), 1));
    file.close();
    appendFileSync(join(dir, 'rtc-triage.log'), 'not json\n[1,2]\n{"time":"2026-');
    const recent = readRecentLogs(dir, { since: new Date(0), maxBytes: 1 << 20 });
    expect(recent.lines.map((l) => l.msg)).toEqual(['line 1']);
    expect(recent.skipped).toBe(3);
  });

  it('a folder without logs reads as none', () => {
    expect(readRecentLogs(join(tempDir(), 'missing'), { since: new Date(0), maxBytes: 1000 })).toEqual({
      lines: [],
      truncated: false,
      skipped: 0,
    });
  });
});

describe('structured log lines', () => {
  it('carry app, version, face, environment, flags, run and correlation ids, and no host name', () => {
    const dir = tempDir();
    const file = new RotatingLogFile({ dir });
    const flags = ConfigSchema.parse({ targets: [{ kind: 'stun', url: 'stun:127.0.0.1' }] }).flags;
    const logger = createLogger({ face: 'cli', version: '1.2.3', env: 'staging', flags }, file);
    logEvent(logger, {
      name: 'attempt.finished',
      at: '2026-01-01T00:00:00.000Z',
      runId: 'run-1',
      correlationId: 'corr-1',
      attemptId: 'att-1',
      targetId: 'stun-a',
      data: { probe: 'stun-binding', outcome: 'timeout', errorClass: 'timeout' },
    });
    logEvent(logger, { name: 'stun.binding.sent', at: '2026-01-01T00:00:00.000Z', runId: 'run-1' });
    file.close();
    const lines = readFileSync(join(dir, 'rtc-triage.log'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1); // the binding step is debug: below the default level
    const parsed = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(parsed).toMatchObject({
      level: 'warn',
      app: 'rtc-triage',
      version: '1.2.3',
      face: 'cli',
      env: 'staging',
      flags: { resilience: true, telemetry: true, chaos: false },
      event: 'attempt.finished',
      runId: 'run-1',
      correlationId: 'corr-1',
      attemptId: 'att-1',
      targetId: 'stun-a',
      msg: 'stun-binding → stun-a: timeout (timeout)',
    });
    expect(typeof parsed.time).toBe('string');
    expect(parsed).not.toHaveProperty('hostname');
  });

  it('the service writes its log next to the history, and nothing at all with flags.telemetry off', () => {
    const on = tempDir();
    const off = tempDir();
    const config = (telemetry: boolean) =>
      ConfigSchema.parse({ targets: [{ kind: 'stun', url: 'stun:127.0.0.1' }], flags: { telemetry } });
    const a = new TriageService({
      config: config(true),
      dbPath: join(on, 'h.db'),
      face: 'test',
      version: 't',
    });
    const b = new TriageService({
      config: config(false),
      dbPath: join(off, 'h.db'),
      face: 'test',
      version: 't',
    });
    expect(a.telemetry?.logPath).toBe(join(on, 'logs', 'rtc-triage.log'));
    expect(a.telemetry?.metrics).not.toBeNull();
    expect(b.telemetry?.enabled).toBe(false);
    expect(b.telemetry?.metrics).toBeNull();
    expect(b.telemetry?.logPath).toBeNull();
    a.close();
    b.close();
    expect(readdirSync(on)).toContain('logs');
    expect(readdirSync(off)).not.toContain('logs');
    expect(
      new Telemetry({ face: 't', version: 't', flags: config(false).flags, logDir: off }).logger,
    ).toBeNull();
  });
});
