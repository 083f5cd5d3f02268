export { startLab, type Lab } from './lab';
export { startLabStunServer, type LabStunServer } from './stun-server';
export { startLabGunRelay, type LabGunRelay } from './gun-relay';
export { startLabPeerJsServer, type LabPeerJsServer } from './peerjs-server';
