/**
 * Can this machine run the network lab? It needs root (to make namespaces, veths and nft rules),
 * iproute2, nftables, coturn and the built CLI. When it cannot, the lab is reported as skipped with
 * the reason, loudly — never silently passed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The checkout: found from this file, or (when bundled elsewhere by run-ts) from the working directory. */
function findRoot(): string {
  for (const start of [resolve(__dirname, '../../..'), process.cwd()]) {
    let dir = start;
    for (;;) {
      if (existsSync(join(dir, 'bin', 'rtc-triage.cjs')) && existsSync(join(dir, 'package.json'))) return dir;
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  return process.cwd();
}

export const ROOT = findRoot();
export const CLI_BIN = join(ROOT, 'bin', 'rtc-triage.cjs');
export const CLI_BUNDLE = join(ROOT, 'dist', 'cli.cjs');

export type LabSupport = { ok: true } | { ok: false; reason: string };

let cached: LabSupport | undefined;

export function labSupport(): LabSupport {
  cached ??= check();
  return cached;
}

function check(): LabSupport {
  if (process.getuid?.() !== 0)
    return { ok: false, reason: 'the network lab needs root (ip netns, veth, nft)' };
  for (const tool of ['/usr/sbin/nft', '/usr/bin/turnserver']) {
    if (!existsSync(tool))
      return { ok: false, reason: `${tool} is missing (.ci/run installs nftables and coturn)` };
  }
  if (!existsSync(CLI_BUNDLE)) return { ok: false, reason: `${CLI_BUNDLE} is not built (npm run build:cli)` };
  // a throwaway namespace proves ip netns, veth and nft all work here
  const name = `rtl${process.pid}-probe-pub`;
  const script = `set -e
    ip netns add ${name}
    trap 'ip netns del ${name}' EXIT
    ip -n ${name} link add t0 type veth peer name t1
    ip netns exec ${name} nft add table ip probe`;
  const probe = spawnSync('sh', ['-c', script], { encoding: 'utf8', timeout: 15_000 });
  if (probe.error) return { ok: false, reason: `cannot run ip: ${probe.error.message}` };
  if (probe.status !== 0) {
    return {
      ok: false,
      reason: `cannot make a network namespace with a veth and nft here: ${probe.stderr.trim()}`,
    };
  }
  return { ok: true };
}
