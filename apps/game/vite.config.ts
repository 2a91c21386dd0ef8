// Vite config for the Tag arena page. `vite build` writes dist/web/, which the game backend serves
// at `/` (beside POST /play). `vite` (dev server) proxies /play to a running backend:
// GAME_URL, default http://127.0.0.1:8090.
import { defaultClientConditions, defineConfig } from 'vite';

export default defineConfig({
  root: `${import.meta.dirname}/web`,
  base: './',
  // Workspace packages resolve to their TypeScript sources (as in the demo page).
  resolve: { conditions: ['roomcast-source', ...defaultClientConditions] },
  build: { outDir: '../dist/web', emptyOutDir: true, target: 'es2022', sourcemap: false },
  server: { proxy: { '/play': process.env.GAME_URL ?? 'http://127.0.0.1:8090' } },
});
