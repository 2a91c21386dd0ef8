// Shared vitest settings: resolve workspace packages to their TypeScript sources
// (the "roomcast-source" export condition), so tests never run against stale builds.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['roomcast-source'] },
  ssr: { resolve: { conditions: ['roomcast-source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
