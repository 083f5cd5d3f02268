import { join } from 'node:path';
import { peerHostsFromEnv, type PeerHostOptions } from '../core/isolation/pool';

/**
 * The peer hosts of the long-running commands (`serve`, `monitor`): dist/peer-host.cjs next to the
 * CLI bundle, run by this Node, as many as RTC_TRIAGE_PEER_HOSTS says (0: none). From the sources
 * (tests importing a command) there is no host program, and the engine runs every probe in-process.
 */
export function cliPeerHosts(): { peerHosts?: PeerHostOptions } {
  const options = peerHostsFromEnv({ entry: join(__dirname, 'peer-host.cjs') });
  return options ? { peerHosts: options } : {};
}
