// Import rules that keep the architecture visible (run by `pnpm lint`; see README "Layout").
// The relay's core talks to sockets only through Peer and the fan-out service, so it imports
// nothing but itself and the protocol package; uWebSockets.js is imported in src/uws/ only; the
// transports do not know each other; only src/bus/ imports the Redis client. A rule that should fire can be checked by adding a
// forbidden import and running `pnpm lint:deps`.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles (type-only ones included) hide which module depends on which.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'relay-core-is-self-contained',
      severity: 'error',
      comment: 'apps/relay/src/core may import only core/ and @roomcast/protocol: no socket library, transport, HTTP, config or logger.',
      from: { path: '^apps/relay/src/core/' },
      to: { pathNot: ['^apps/relay/src/core/', '^packages/protocol/'] },
    },
    {
      name: 'only-the-uws-adapter-imports-uws',
      severity: 'error',
      comment: 'In the relay, uWebSockets.js is imported in src/uws/ only (WebSocket transport and HTTP serving). The bench baseline server is not the relay.',
      from: { path: '^apps/relay/', pathNot: '^apps/relay/src/uws/' },
      to: { path: ['(^|/)node_modules/uWebSockets\\.js/', '(^|/)node_modules/\\.pnpm/@trufflesuite\\+uws-js-unofficial'] },
    },
    {
      name: 'only-the-bus-imports-redis',
      severity: 'error',
      comment: 'The Redis client is imported in apps/relay/src/bus/ only (the cluster bus, decision 0002); the core reaches other nodes through core/cluster.ts.',
      from: { path: '^apps/relay/', pathNot: '^apps/relay/src/bus/' },
      to: { path: ['(^|/)node_modules/ioredis/', '(^|/)node_modules/\\.pnpm/ioredis@'] },
    },
    {
      name: 'bus-is-not-a-transport',
      severity: 'error',
      comment: 'The bus talks to the core through its ports (FanoutSink, Cluster, ClusterInbox), never to the transports or the HTTP API.',
      from: { path: '^apps/relay/src/bus/' },
      to: { path: '^apps/relay/src/(tcp|uws|http)/' },
    },
    {
      name: 'transports-do-not-know-each-other',
      severity: 'error',
      comment: 'The TCP transport and the uWS adapter meet only in the core fan-out service (wired in server.ts).',
      from: { path: '^apps/relay/src/(tcp|uws)/' },
      to: { path: '^apps/relay/src/(tcp|uws)/', pathNot: '^apps/relay/src/$1/' },
    },
    {
      name: 'http-api-is-transport-free',
      severity: 'error',
      comment: 'apps/relay/src/http answers requests as plain values; uws/http.ts serves them.',
      from: { path: '^apps/relay/src/http/' },
      to: { path: '^apps/relay/src/(tcp|uws)/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that does not resolve is a typo or a missing dependency.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['roomcast-source', 'import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts'],
    },
  },
};
