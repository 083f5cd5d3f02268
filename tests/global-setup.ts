import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Tests run the real CLI bundle: rebuild it (esbuild, well under a second) so it matches the source. */
export default function setup(): void {
  const root = join(__dirname, '..');
  execFileSync(process.execPath, [join(root, 'scripts', 'build-cli.mjs')], { cwd: root, stdio: 'inherit' });
}
