import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

/**
 * Native and network-heavy libraries stay outside the main bundle: they load `.node` files or
 * resolve files relative to their own package, which bundling would break.
 */
const MAIN_EXTERNALS = ['better-sqlite3', '@roamhq/wrtc', 'gun', 'stun', 'simple-peer'];

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      externalizeDeps: { include: MAIN_EXTERNALS },
      rolldownOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          // the peer host the engine runs its WebRTC probes in (src/core/isolation)
          'peer-host': resolve(__dirname, 'src/core/isolation/host-entry.ts'),
        },
        output: { format: 'cjs' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // sandbox: true gives the preload a limited `require` (electron only), so everything else it
      // uses (the contract and zod) is bundled into this one CommonJS file.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    plugins: [react()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      rolldownOptions: {
        input: { index: resolve(__dirname, 'src/renderer/index.html') },
      },
    },
  },
});
