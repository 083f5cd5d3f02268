import { join, resolve } from 'node:path';

/** Where `electron-vite build` writes; tests/global-setup.ts rebuilds it before any test runs. */
export const ROOT = resolve(__dirname, '../..');
export const OUT_MAIN = join(ROOT, 'out/main/index.js');
export const OUT_PRELOAD = join(ROOT, 'out/preload/index.js');
export const RENDERER_DIR = join(ROOT, 'out/renderer');
/** The peer host `npm run build:cli` writes: where a test's diagnoses run their WebRTC, as every long-lived face's do. */
export const PEER_HOST = join(ROOT, 'dist/peer-host.cjs');
