import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

/**
 * Were main ever to import one of these, it would stay an import (a `.node` file or a package that
 * resolves its own files cannot be bundled), and tests/main/main-bundle.test.ts would see it.
 */
const MAIN_EXTERNALS = ['better-sqlite3', '@roamhq/wrtc', 'gun', 'stun', 'simple-peer', 'yazl', 'yauzl'];

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      externalizeDeps: { include: MAIN_EXTERNALS },
      rolldownOptions: {
        // main only shows windows: the engine (dist/engine.cjs) and its peer hosts
        // (dist/peer-host.cjs) are built with the CLI by scripts/build-cli.mjs
        input: { index: resolve(__dirname, 'src/main/index.ts') },
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
      // served to a browser too (`rtc-triage serve`): tests/ui/renderer-bundle.test.ts holds the
      // first load to 300 KB gzip
      minify: true,
      rolldownOptions: {
        input: { index: resolve(__dirname, 'src/renderer/index.html') },
      },
    },
  },
});
