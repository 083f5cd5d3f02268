import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform, release, type } from 'node:os';
import type { BundleManifest } from '../../contract';

/** The libwebrtc build in use: `@roamhq/wrtc`'s own package.json, or null where it is not installed. */
function wrtcVersion(): string | null {
  try {
    // Resolved from this file, as the engine itself would load it (source, CLI bundle or Electron main).
    const file = createRequire(__filename).resolve('@roamhq/wrtc/package.json');
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : null;
  } catch {
    return null;
  }
}

export function runtimeFacts(): Pick<BundleManifest, 'os' | 'runtime'> {
  const versions = process.versions as NodeJS.ProcessVersions & { electron?: string; chrome?: string };
  return {
    os: { platform: platform(), arch: arch(), release: release(), type: type() },
    runtime: {
      node: versions.node,
      electron: versions.electron ?? null,
      chrome: versions.chrome ?? null,
      wrtc: wrtcVersion(),
    },
  };
}
