import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { resourcesDir } from '../core/config/resources';

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(dirname(resourcesDir()), 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const version = readVersion();
