/**
 * Runs a test child inside a fresh network namespace with only `lo` up, so that libwebrtc (which
 * gathers host candidates on every interface) can only ever send to loopback. The child is a small
 * TypeScript entry under tests/netns-child/, bundled with esbuild; it prints one JSON line per case.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ROOT } from './build';

export type NetnsSupport = { ok: true } | { ok: false; reason: string };

let support: NetnsSupport | undefined;

/** Whether this machine lets us make a network namespace (root or user namespaces, `ip` present). */
export function netnsSupport(): NetnsSupport {
  if (support) return support;
  const probe = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up && ip -o addr show'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (probe.error) support = { ok: false, reason: `unshare could not run: ${probe.error.message}` };
  else if (probe.status !== 0)
    support = { ok: false, reason: `unshare -n failed (${probe.status}): ${probe.stderr.trim()}` };
  else if (!probe.stdout.split('\n').every((line) => line === '' || /^\d+:\s+lo\s/.test(line)))
    support = { ok: false, reason: `the new namespace has interfaces besides lo:\n${probe.stdout}` };
  else support = { ok: true };
  return support;
}

/** Bundles a child entry next to node_modules, so its external packages (wrtc, simple-peer) resolve. */
export async function bundleChild(entry: string): Promise<string> {
  const dir = join(ROOT, 'node_modules', '.cache', 'rtc-triage-netns');
  mkdirSync(dir, { recursive: true });
  const name = entry.replace(/^.*\//, '').replace(/\.ts$/, '');
  const outfile = join(dir, `${name}-${process.pid}.cjs`);
  await build({
    entryPoints: [join(ROOT, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    logLevel: 'warning',
  });
  return outfile;
}

export interface ChildCase {
  case: string;
  [key: string]: unknown;
}

export interface ChildRun {
  cases: Map<string, ChildCase>;
  code: number | null;
  stderr: string;
}

/**
 * Runs `node script` inside `unshare -n` (lo up, nothing else) and collects its JSON lines.
 * Whatever the child starts (coturn, nft rules) lives and dies with that namespace.
 */
export function runInNetns(script: string, args: string[] = [], timeoutMs = 50_000): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'unshare',
      ['-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', process.execPath, script, ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(killer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(killer);
      const cases = new Map<string, ChildCase>();
      for (const line of stdout.split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const parsed = JSON.parse(line) as ChildCase;
          if (typeof parsed.case === 'string') cases.set(parsed.case, parsed);
        } catch {
          stderr += `\n[unparsable child line] ${line}`;
        }
      }
      resolve({ cases, code, stderr });
    });
  });
}
