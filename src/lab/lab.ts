import type { ConfigInput } from '../contract';
import { startLabGunRelay, type LabGunRelay } from './gun-relay';
import { startLabPeerJsServer, type LabPeerJsServer } from './peerjs-server';
import { startLabStunServer, type LabStunServer } from './stun-server';

export interface Lab {
  /** A config file's content listing the lab's targets. */
  config: ConfigInput;
  stun: LabStunServer;
  gun: LabGunRelay;
  peerjs: LabPeerJsServer;
  close(): Promise<void>;
}

/**
 * Starts the embedded lab on loopback: a STUN server (UDP and TCP), a GUN relay and a PeerJS server.
 * Only servers the lab itself runs are listed. If one fails to start, the others are closed.
 */
export async function startLab(options: { host?: string } = {}): Promise<Lab> {
  const host = options.host ?? '127.0.0.1';
  const started: Array<{ close(): Promise<void> }> = [];
  const closeAll = async () => {
    await Promise.allSettled(started.map((server) => server.close()));
  };
  try {
    const stun = await startLabStunServer({ host });
    started.push(stun);
    const gun = await startLabGunRelay({ host });
    started.push(gun);
    const peerjs = await startLabPeerJsServer({ host });
    started.push(peerjs);
    const h = host.includes(':') ? `[${host}]` : host;
    return {
      config: {
        targets: [
          { kind: 'stun', id: 'lab-stun-udp', url: `stun:${h}:${stun.udpPort}` },
          { kind: 'stun', id: 'lab-stun-tcp', url: `stun:${h}:${stun.tcpPort}?transport=tcp` },
          { kind: 'gun', id: 'lab-gun', url: gun.url },
          { kind: 'peerjs', id: 'lab-peerjs', url: peerjs.url, key: peerjs.key },
        ],
      },
      stun,
      gun,
      peerjs,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
