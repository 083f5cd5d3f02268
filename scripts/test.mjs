// `npm test`'s last step: vitest, inside a fresh network namespace with only loopback up when this
// machine allows one (always in CI, which runs as root). Tests that open real RTCPeerConnections
// skip themselves, loudly, when they are not isolated.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { namespaceFlags, runIsolated } from './loopback-namespace.mjs';

const vitest = [
  process.execPath,
  join('node_modules', 'vitest', 'vitest.mjs'),
  'run',
  ...process.argv.slice(2),
];

if (process.env.RTC_TRIAGE_NETNS === '1') {
  process.exit(spawnSync(vitest[0], vitest.slice(1), { stdio: 'inherit' }).status ?? 1);
}
const flags = namespaceFlags();
if (flags) {
  console.log(
    `Running the tests in a new network namespace (unshare ${flags.join(' ')}): only loopback is reachable.`,
  );
  process.exit(runIsolated(flags, vitest));
}
console.warn(
  'WARNING: cannot create a network namespace here (unshare failed): tests that open real WebRTC connections will be SKIPPED.',
);
process.exit(spawnSync(vitest[0], vitest.slice(1), { stdio: 'inherit' }).status ?? 1);
