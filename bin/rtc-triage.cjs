#!/usr/bin/env node
'use strict';
// The `rtc-triage` command: runs the CLI bundle built by `npm install` (prepare) or `npm run build:cli`.
const path = require('node:path');
const fs = require('node:fs');

const bundle = path.join(__dirname, '..', 'dist', 'cli.cjs');
if (!fs.existsSync(bundle)) {
  process.stderr.write(
    'rtc-triage is not built yet: run `npm install` (or `npm run build:cli`) in the project folder.\n',
  );
  process.exit(3);
}
require(bundle)
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
    // Leave through process.exit() once the event loop is empty. Letting Node free its environment
    // runs @roamhq/wrtc's finalizers for RTCPeerConnection wrappers not yet garbage-collected, and
    // those sometimes crash (SIGSEGV in napi_reference_unref, node-webrtc#636) right after a
    // diagnosis was cancelled. Waiting for 'beforeExit' keeps the leak check: a handle left open
    // still keeps the process alive instead of being cut off.
    process.once('beforeExit', () => process.exit(code));
  });
