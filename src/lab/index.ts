export { startLab, type Lab } from './lab';
export { startLabStunServer, type LabStunServer } from './stun-server';
