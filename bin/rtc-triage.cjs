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
  });
