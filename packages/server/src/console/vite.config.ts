import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';

// The console is served under /console/ with a strict CSP: one script and one stylesheet, content-hashed
// names, nothing inlined (no module-preload polyfill, no inlined assets), no source maps shipped.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  // `tenure/…` from the library's sources, as everywhere in the repository (docs/architecture.md).
  resolve: { conditions: ['source', ...defaultClientConditions] },
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'build',
    emptyOutDir: true,
    assetsDir: 'assets',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
  },
});
