import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

/** The web pages poolkeeper serves: built into dist/web, assets under /web/assets/ (content-hashed names). */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/web/',
  plugins: [preact()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // The polyfill would be bundled code for old browsers; every browser with ES2022 has module preload.
    modulePreload: { polyfill: false },
    rollupOptions: { input: { explorer: fileURLToPath(new URL('explorer/index.html', import.meta.url)) } },
  },
});
