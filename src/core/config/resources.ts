import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Finds the `resources/` folder whether we run from source (vitest), from the bundled CLI (`dist/`),
 * from electron-vite's `out/main`, or from a packaged app (RTC_TRIAGE_RESOURCES).
 */
export function resourcesDir(): string {
  const fromEnv = process.env.RTC_TRIAGE_RESOURCES;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'resources');
    if (existsSync(join(candidate, 'targets.default.json'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('cannot find the resources/ folder with targets.default.json');
}

export function defaultConfigPath(): string {
  return join(resourcesDir(), 'targets.default.json');
}
