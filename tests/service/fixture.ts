import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/core/config/load';
import { dispatch } from '../../src/core/engine/dispatch';
import type { CallContext } from '../../src/core/engine/protocol';
import { TriageService } from '../../src/core/service';
import type { ConfigInput } from '../../src/contract';
import { SEED_TARGETS } from '../analysis/history-fixture';

/** The seeded history's servers, as a config file would list them. */
export const SEED_CONFIG: ConfigInput = {
  targets: SEED_TARGETS.map(({ layer: _layer, ...target }) => target),
  retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 20 },
};

export interface TempService {
  service: TriageService;
  dir: string;
  dbPath: string;
  /** A new service on the same database (as after a restart). */
  reopen(options?: { useSavedSettings?: boolean; config?: ConfigInput }): TriageService;
  call(method: string, args?: unknown, context?: CallContext): ReturnType<typeof dispatch>;
  close(): void;
}

/** A TriageService as the UI faces make it (saved settings on), on a temp database. */
export function tempService(options: { config?: ConfigInput; useSavedSettings?: boolean } = {}): TempService {
  const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-service-'));
  const dbPath = join(dir, 'history.db');
  const open = (o: { useSavedSettings?: boolean; config?: ConfigInput } = {}) =>
    new TriageService({
      config: parseConfig(o.config ?? options.config ?? SEED_CONFIG, 'test'),
      dbPath,
      face: 'serve',
      version: 'test',
      useSavedSettings: o.useSavedSettings ?? options.useSavedSettings ?? true,
    });
  const opened: TriageService[] = [];
  const first = open();
  opened.push(first);
  return {
    service: first,
    dir,
    dbPath,
    reopen(o) {
      const service = open(o);
      opened.push(service);
      return service;
    },
    call: (method, args, context) => dispatch(first, method, args, context),
    close() {
      for (const service of opened) service.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
