import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigInput } from '../../src/contract';
import { parseConfig } from '../../src/core/config/load';
import { TriageService } from '../../src/core/service';
import { startLab, type Lab } from '../../src/lab';

export interface LabService {
  lab: Lab;
  service: TriageService;
  dbPath: string;
  close(): Promise<void>;
}

/**
 * A real TriageService on the real embedded lab, with its history in a temp folder.
 * `extend` may add targets or settings to the lab's config; `useSavedSettings` makes it a UI face's
 * service (desktop, serve), which applies what the UI saved.
 */
export async function startLabService(
  options: { face?: string; extend?: (config: ConfigInput) => ConfigInput; useSavedSettings?: boolean } = {},
): Promise<LabService> {
  const lab = await startLab();
  const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-test-'));
  let service: TriageService | undefined;
  try {
    const input = options.extend ? options.extend(lab.config) : lab.config;
    service = new TriageService({
      config: parseConfig(input, 'lab'),
      dbPath: join(dir, 'history.db'),
      face: options.face ?? 'serve',
      version: 'test',
      ...(options.useSavedSettings ? { useSavedSettings: true } : {}),
    });
  } catch (error) {
    await lab.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const created = service;
  return {
    lab,
    service: created,
    dbPath: join(dir, 'history.db'),
    async close() {
      try {
        created.close();
      } finally {
        await lab.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
