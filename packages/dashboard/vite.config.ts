import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The web app: plain Preact with esbuild's automatic JSX runtime (no Babel preset), built into
// dist/web and served by the dashboard's own server; no CDN, nothing fetched at run time.
export default defineConfig({
  root: fileURLToPath(new URL('./web', import.meta.url)),
  base: './',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: fileURLToPath(new URL('./dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // One small app: a single script and stylesheet load fastest from localhost.
    cssCodeSplit: false,
    reportCompressedSize: false,
  },
  logLevel: 'warn',
});
