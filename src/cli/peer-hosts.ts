import { join } from 'node:path';
import type { PeerHostOptions } from '../core/isolation/pool';

/**
 * The peer hosts of the long-running commands (`serve`, `monitor`): dist/peer-host.cjs next to the
 * CLI bundle, run by this Node. From the sources (tests importing a command) there is none, and the
 * engine runs every probe in-process.
 */
export function cliPeerHosts(): PeerHostOptions {
  return { entry: join(__dirname, 'peer-host.cjs') };
}
