// A fresh network namespace with only loopback up: whatever runs inside can reach nothing but
// 127.0.0.0/8 and ::1 — not even this machine's own LAN address. Tests and benchmarks create real
// RTCPeerConnections, and libwebrtc gathers candidates on every interface it sees; inside the
// namespace the only interface is `lo`.
import { spawnSync } from 'node:child_process';

/** The `unshare` flags that work here: `-n` as root, `-rn` (a user namespace) otherwise; null if neither. */
export function namespaceFlags() {
  for (const flags of [['-n'], ['-rn']]) {
    const probe = spawnSync('unshare', [...flags, 'sh', '-c', 'ip link set lo up'], {
      stdio: 'ignore',
      timeout: 10_000,
    });
    if (!probe.error && probe.status === 0) return flags;
  }
  return null;
}

/** Runs `argv` inside a loopback-only namespace (RTC_TRIAGE_NETNS=1 tells the code it is there). */
export function runIsolated(flags, argv, env = process.env) {
  const result = spawnSync(
    'unshare',
    [...flags, 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', ...argv],
    {
      stdio: 'inherit',
      env: { ...env, RTC_TRIAGE_NETNS: '1' },
    },
  );
  if (result.error) throw result.error;
  return result.status ?? 1;
}
