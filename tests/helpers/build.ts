import { join, resolve } from 'node:path';

/** Where `electron-vite build` writes; tests/global-setup.ts rebuilds it before any test runs. */
export const ROOT = resolve(__dirname, '../..');
export const OUT_MAIN = join(ROOT, 'out/main/index.js');
export const OUT_PRELOAD = join(ROOT, 'out/preload/index.js');
export const RENDERER_DIR = join(ROOT, 'out/renderer');
