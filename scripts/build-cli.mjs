// Bundles the CLI (src/cli + src/core + src/lab + src/contract) into dist/cli.cjs.
// npm packages stay external: native modules (better-sqlite3, @roamhq/wrtc) and gun must load from node_modules.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/index.ts'],
  outfile: 'dist/cli.cjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
