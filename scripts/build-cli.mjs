// Bundles the CLI (src/cli + src/core + src/lab + src/contract) into dist/cli.cjs.
// npm packages stay external: native modules (better-sqlite3, @roamhq/wrtc) and gun must load from node_modules.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
};
await build({ ...common, entryPoints: ['src/cli/index.ts'], outfile: 'dist/cli.cjs' });
// the peer host (src/core/isolation): a child process the engine runs its WebRTC probes in
await build({ ...common, entryPoints: ['src/core/isolation/host-entry.ts'], outfile: 'dist/peer-host.cjs' });
// the engine process (src/core/engine): what Electron's main process and `serve` run the engine in
await build({ ...common, entryPoints: ['src/core/engine/main.ts'], outfile: 'dist/engine.cjs' });
