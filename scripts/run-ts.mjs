// Runs a TypeScript entry (a benchmark) under plain Node 20: esbuild bundles it to a temporary .cjs
// (npm packages stay external), then Node runs it with the remaining arguments.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs FILE.ts [args…]');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-run-'));
const outfile = join(dir, 'entry.cjs');
await build({
  entryPoints: [resolve(entry)],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  nodePaths: [resolve('node_modules')],
  logLevel: 'warning',
});
const result = spawnSync(process.execPath, [outfile, ...args], {
  stdio: 'inherit',
  env: { ...process.env, NODE_PATH: resolve('node_modules') },
});
rmSync(dir, { recursive: true, force: true });
process.exit(result.status ?? 1);
