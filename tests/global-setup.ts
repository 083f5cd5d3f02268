import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Tests run the real artefacts: the CLI bundle (esbuild, under a second) and the electron-vite build
 * (main, preload, renderer; a few seconds). Both are rebuilt so no test ever sees a stale bundle.
 */
export default function setup(): void {
  const root = join(__dirname, '..');
  execFileSync(process.execPath, [join(root, 'scripts', 'build-cli.mjs')], { cwd: root, stdio: 'inherit' });
  execFileSync(
    process.execPath,
    [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
    {
      cwd: root,
      stdio: 'pipe',
      timeout: 180_000,
    },
  );
}
