/** Debian's Chromium, the oracle of the UI tests and the lab's browser agreement, and how both start it. */
export const CHROMIUM = '/usr/bin/chromium';

/** Headless, and quiet: no QUIC, no background or component traffic, nothing but the test's own. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
];
