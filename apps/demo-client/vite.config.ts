// Vite config for the demo page. `vite build` writes dist/, which the relay serves at `/`.
// `vite` (dev server) proxies /ws to a running relay: RELAY_URL, default http://localhost:8080;
// or open the page with ?relay=ws://host:port/ws.
import { defaultClientConditions, defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  // Relative asset URLs: the built page also works when served from a sub-path.
  base: './',
  // Workspace packages resolve to their TypeScript sources, so the demo builds without the
  // packages' dist/ and always matches the checked-out SDK.
  resolve: { conditions: ['roomcast-source', ...defaultClientConditions] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    proxy: {
      '/ws': { target: process.env.RELAY_URL ?? 'http://localhost:8080', ws: true },
      '/healthz': process.env.RELAY_URL ?? 'http://localhost:8080',
    },
  },
});
