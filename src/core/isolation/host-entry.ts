/** The peer host's program (built to dist/peer-host.cjs and out/main/peer-host.js); see host.ts. */
import { processIo, runPeerHost } from './host';

// Console output of libraries (simple-peer's warnings) goes to stderr: the host has no stdout.
console.log = console.error;
console.info = console.error;
if (process.send) runPeerHost(processIo());
else {
  console.error('rtc-triage peer host: start it through the engine (it needs an IPC channel)');
  process.exitCode = 2;
}
