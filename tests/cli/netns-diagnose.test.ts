import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReportSchema } from '../../src/contract';
import { BIN } from '../helpers/cli';

/** Can this machine make a network namespace with only loopback? (root, or user namespaces) */
function namespaceProblem(): string | null {
  const probe = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up && ip -o addr show'], {
    encoding: 'utf8',
  });
  if (probe.error) return `unshare is not available: ${probe.error.message}`;
  if (probe.status !== 0) return `cannot create a network namespace: ${probe.stderr.trim()}`;
  return null;
}
const problem = namespaceProblem();
if (problem) console.warn(`SKIPPED: the isolated-namespace diagnosis test (${problem})`);

describe.skipIf(problem !== null)('rtc-triage in a network namespace with only loopback', () => {
  it('`lab --json` then `diagnose --config <lab>` exits 0 with every attempt a success', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-netns-'));
    const script = `
      set -u
      ip link set lo up
      "${process.execPath}" "${BIN}" lab --json > "${dir}/lab.json" 2> "${dir}/lab.err" &
      LAB=$!
      i=0; while [ ! -s "${dir}/lab.json" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
      "${process.execPath}" "${BIN}" diagnose --config "${dir}/lab.json" --json --db "${dir}/history.db" > "${dir}/report.json" 2> "${dir}/diagnose.err"
      echo $? > "${dir}/diagnose.code"
      kill -TERM $LAB; wait $LAB; echo $? > "${dir}/lab.code"
    `;
    const run = spawnSync('unshare', ['-n', 'sh', '-c', script], { encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    const stderr = readFileSync(join(dir, 'diagnose.err'), 'utf8');
    expect(readFileSync(join(dir, 'diagnose.code'), 'utf8').trim(), stderr).toBe('0');
    expect(readFileSync(join(dir, 'lab.code'), 'utf8').trim()).toBe('0');
    const report = ReportSchema.parse(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')));
    expect(report.verdict.kind).toBe('healthy');
    expect(report.attempts.length).toBeGreaterThanOrEqual(6);
    expect(report.attempts.filter((a) => a.outcome !== 'success')).toEqual([]);
    for (const probe of [
      'stun-binding',
      'nat-behavior',
      'gun-signaling',
      'peerjs-signaling',
      'signaled-session',
    ]) {
      expect(report.attempts.some((a) => a.probe === probe)).toBe(true);
    }
    // L0: this machine's WebRTC stack, two peers over host candidates
    expect(report.attempts.some((a) => a.probe === 'peer-connection' && a.metrics.path === 'host')).toBe(
      true,
    );
    // no NAT on loopback: the reflexive path is skipped as untestable, not failed
    expect(report.attempts.some((a) => a.metrics.path === 'srflx')).toBe(false);
    expect(report.cleanup.leaked).toBe(0);
  });
});
