// Mutation-testing targets for `pnpm mutate <target>`: which source files Stryker mutates and
// which vitest project (and test files) must kill the mutants. One entry per folder, so a run
// stays bounded on a 2-core machine and its score maps to one folder in docs/testing.md.
// The relay tests `core` and `transports` run (see the note at `core`).
const RELAY_TESTS = {
  include: ['test/**/*.test.ts'],
  exclude: [
    'test/core.test.ts', 'test/lifecycle.test.ts', 'test/process.test.ts', 'test/packed-sdk.test.ts',
    'test/log.test.ts', 'test/auth/logs.test.ts', 'test/docs-*.test.ts', 'test/tcp-python*.test.ts', 'test/auth/python-token.test.ts',
    'test/auth/readme.test.ts', 'test/cluster/soak.test.ts', 'test/cluster/redis-cluster.test.ts',
  ],
};

export const TARGETS = {
  protocol: {
    mutate: ['packages/protocol/src/**/*.ts'],
    project: 'packages/protocol',
  },
  config: {
    mutate: ['apps/relay/src/config.ts', 'apps/relay/src/config/*.ts'],
    project: 'apps/relay',
    include: ['test/config.test.ts', 'test/tcp-config.test.ts', 'test/docs-config.test.ts'],
  },
  client: {
    mutate: ['packages/client/src/**/*.ts'],
    project: 'packages/client',
    // The bundle-size budget fails on Stryker's instrumented sources (they are bigger) and tests no behaviour.
    exclude: ['test/size.test.ts'],
    // A mutant that stops a reply leaves a request waiting: fail it after 3 s (killed) instead of
    // waiting for Stryker's timeout and a runner restart.
    testTimeout: 3000,
  },
  // Phase 2: core and the transports (raw TCP in tcp/, WebSocket in uws/). The relay's tests wait
  // for frames, never timers, so a mutant that stops a frame hangs its test: `testTimeout` fails it
  // after 5 s (killed) instead of waiting for Stryker's timeout and a runner restart. Per-test
  // coverage runs only the tests that reach a mutant, so `core` lists every relay test (the
  // cluster tests too: they start a real redis-server) except those that cannot see a mutant or
  // cost seconds for what faster tests cover: core.test.ts (its 70,000-join test takes 3-8 s and
  // covers nearly every mutant), lifecycle (8 s), the built-relay process tests and packed
  // packages (they run dist/, not the mutated sources), the docs checks, the Python examples, the
  // cluster soak and the 3-shard Redis Cluster (13 s of set-up per run).
  core: {
    mutate: ['apps/relay/src/core/**/*.ts'],
    project: 'apps/relay',
    testTimeout: 5000,
    ...RELAY_TESTS,
  },
  transports: {
    mutate: ['apps/relay/src/tcp/**/*.ts', 'apps/relay/src/uws/**/*.ts'],
    project: 'apps/relay',
    testTimeout: 5000,
    ...RELAY_TESTS,
  },
};
