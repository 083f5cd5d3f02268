import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportCommand } from '../../src/cli/commands/export';
import { historyCommand } from '../../src/cli/commands/history';
import { openReadingService } from '../../src/cli/reading-service';
import { TriageError } from '../../src/core/errors';
import { buildHistory, captureIo, tempDir } from '../bundle/fixture';

describe('CLI history/export go through the read-only service', () => {
  it('history --json is the service history; export writes the service bundle', async () => {
    const dir = tempDir();
    const { dbPath } = buildHistory(dir);
    const io = captureIo();
    await historyCommand(['--db', dbPath, '--since', '7d', '--json', '--tz', 'UTC'], io.io);
    const cli = JSON.parse(io.out.join(''));
    const service = openReadingService({ command: 'history', db: dbPath, version: '9.9.9-test' });
    try {
      const direct = service.history({ sinceMs: 7 * 86_400_000, timeZone: 'UTC' });
      expect(cli.verdict).toEqual(direct.verdict);
      expect(cli.attempts).toBe(direct.attempts);
      expect(cli.patterns).toEqual(direct.patterns);
      const viaService = await service.exportBundle({
        out: join(dir, 'service.zip'),
        sinceMs: 86_400_000,
        redact: true,
      });
      expect(await exportCommand(['--out', join(dir, 'cli.zip'), '--db', dbPath], captureIo().io)).toBe(0);
      const viaCli = await service.openBundle(join(dir, 'cli.zip'));
      const opened = await service.openBundle(join(dir, 'service.zip'));
      expect(viaCli.manifest.counts).toEqual(viaService.counts);
      expect(opened.manifest.counts).toEqual(viaService.counts);
      expect(viaCli.manifest.redacted).toBe(true);
    } finally {
      service.close();
    }
  });

  it('a read-only service refuses writes with a typed error and leaves the file as it was', async () => {
    const dir = tempDir();
    const { dbPath } = buildHistory(dir);
    const before = readFileSync(dbPath);
    const service = openReadingService({ command: 'history', db: dbPath, version: '9.9.9-test' });
    try {
      service.history({});
      expect(() => service.saveTargets({ targets: [] })).toThrow(TriageError);
      await expect(service.runDiagnosis({})).rejects.toMatchObject({
        code: 'UNSUPPORTED',
        message: expect.stringContaining('this history was opened read-only'),
      });
      await expect(service.setMonitor({ enabled: true })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
      expect(() => service.listTargets()).toThrow(expect.objectContaining({ code: 'CONFIG_UNREADABLE' }));
    } finally {
      service.close();
    }
    expect(readFileSync(dbPath).equals(before)).toBe(true);
    const missing = join(dir, 'typo.db');
    expect(() => openReadingService({ command: 'history', db: missing, version: '9.9.9-test' })).toThrow(
      `history: there is no history at ${missing} (run a diagnosis first, or pass --db)`,
    );
    expect(existsSync(missing)).toBe(false);
    expect(readdirSync(dir).some((f) => f.startsWith('typo'))).toBe(false);
  });
});
