// Mutation-testing targets for `pnpm mutate <target>`: which source files Stryker mutates and
// which vitest project (and test files) must kill the mutants. One entry per folder, so a run
// stays bounded on a 2-core machine and its score maps to one folder in docs/testing.md.
export const TARGETS = {
  protocol: {
    mutate: ['packages/protocol/src/**/*.ts'],
    project: 'packages/protocol',
  },
  config: {
    mutate: ['apps/relay/src/config.ts'],
    project: 'apps/relay',
    include: ['test/config.test.ts', 'test/tcp-config.test.ts', 'test/docs-config.test.ts'],
  },
  client: {
    mutate: ['packages/client/src/**/*.ts'],
    project: 'packages/client',
  },
  // Phase 2: core and the transports (raw TCP in tcp/, WebSocket in uws/).
  core: {
    mutate: ['apps/relay/src/core/**/*.ts'],
    project: 'apps/relay',
  },
  transports: {
    mutate: ['apps/relay/src/tcp/**/*.ts', 'apps/relay/src/uws/**/*.ts'],
    project: 'apps/relay',
  },
};
