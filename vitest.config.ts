// Root test command: runs every package's and app's tests as vitest projects.
import './vitest.node20.js';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'apps/*/vitest.config.ts', 'bench/vitest.config.ts', 'scripts/vitest.config.ts'],
  },
});
