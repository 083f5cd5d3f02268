import type { ConfigInput } from '../contract';
import { startLabStunServer, type LabStunServer } from './stun-server';

export interface Lab {
  /** A config file's content listing the lab's targets. */
  config: ConfigInput;
  stun: LabStunServer;
  close(): Promise<void>;
}

/** Starts the embedded lab on loopback. Only servers the lab itself runs are listed. */
export async function startLab(options: { host?: string } = {}): Promise<Lab> {
  const host = options.host ?? '127.0.0.1';
  const stunServer = await startLabStunServer({ host });
  const h = host.includes(':') ? `[${host}]` : host;
  return {
    config: {
      targets: [
        { kind: 'stun', id: 'lab-stun-udp', url: `stun:${h}:${stunServer.udpPort}` },
        { kind: 'stun', id: 'lab-stun-tcp', url: `stun:${h}:${stunServer.tcpPort}?transport=tcp` },
      ],
    },
    stun: stunServer,
    close: () => stunServer.close(),
  };
}
