// Dependency rules, checked by `pnpm lint` (depcruise): any violation fails the lint (there is
// no baseline of known ones). Type-only imports count everywhere: they make no runtime cycle,
// but a reader follows them too, and a type two layers share belongs below both.

/**
 * The layers of packages/auth-server/src, bottom up. A unit (a folder, or a file at the top of
 * src/; `name` matches `name/` and `name.ts`, so a file that becomes a folder keeps its place)
 * imports only from units in lower layers: never from its own layer (sideways) or above.
 */
const authServerLayers = [
  // The vocabulary several layers share (scopes, grant types, usernames, durations, lifetimes,
  // cookie attributes, signing algorithms): no imports at all.
  ['domain'],
  // The request's own values (its log scope, page context, artifact reads) in one async store.
  ['request-locals'],
  ['errors'],
  // Leaves every layer may use: hashing secrets, logs and metrics, the HTML and JSON views,
  // draining.
  ['secrets', 'observability', 'views', 'shutdown'],
  // Concerns that own their data: signing keys, storage-backed caches, rate limits, the janitor;
  // outgoing mail.
  ['keys', 'registry', 'limits', 'janitor', 'mail'],
  // The settings schema, which composes each concern's parsers and defaults.
  ['config'],
  // Use cases the CLI and the pages call; no oidc-provider here (the CLI loads services alone).
  ['services'],
  // oidc-provider's configuration and request pipeline, over the services.
  ['provider'],
  // HTTP routes of the pages, health and account; the doctor, which probes a whole provider.
  ['routes', 'doctor'],
  // The admin REST API: host routes over the services (and, later, the doctor).
  ['admin'],
  // The admin console: pages for people, a client of the admin API over HTTP.
  ['console'],
  // Composition roots.
  ['app', 'index'],
];

const src = '^packages/auth-server/src/';
const unit = (names) => `${src}(${names.join('|')})(?:/|\\.ts$)`;

const layerRules = authServerLayers.slice(0, -1).map((layer, index) => ({
  name: `auth-server-layer-${index}`,
  comment:
    `packages/auth-server/src: ${layer.join(', ')} (layer ${index}) import only from lower ` +
    'layers, never sideways or up (the order is authServerLayers in .dependency-cruiser.cjs)',
  severity: 'error',
  from: { path: unit(layer) },
  to: {
    path: unit(authServerLayers.slice(index).flat()),
    pathNot: `${src}$1(?:/|\\.ts$)`,
  },
}));

// The Koa adapter of packages/resource-server: its main entry point and the files it owns.
const rsKoaAdapter =
  '^packages/resource-server/src/(index\\.ts|create-resource-server\\.ts|middleware/|throttle/throttle\\.ts|http/send-error\\.ts|metadata/create-metadata-middleware\\.ts)';

// Each package's public entry points (package.json `exports`); anything else is internal.
const entryPoints = [
  '^packages/[^/]+/src/index\\.ts$',
  '^packages/resource-server/src/(express|fastify|node|fetch)/index\\.ts$',
  '^packages/auth-server/src/(config|observability|services)/index\\.ts$',
  '^packages/storage/src/testing/index\\.ts$',
  '^packages/resource-server/src/(redis|postgres)\\.ts$',
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycles in packages/*/src (type-only imports count).',
      severity: 'error',
      from: { path: '^packages/[^/]+/src/' },
      to: { circular: true },
    },
    {
      name: 'auth-server-domain-imports-nothing',
      comment:
        'packages/auth-server/src/domain holds facts with no imports of their own: not another ' +
        'folder, not a package (not even the types of @portcullis/storage), not a node built-in.',
      severity: 'error',
      from: { path: `${src}domain/` },
      to: { pathNot: `${src}domain/` },
    },
    ...layerRules,
    {
      name: 'auth-server-unlayered',
      comment:
        'Every folder and top-level file of packages/auth-server/src has a layer: add a new ' +
        'one to authServerLayers in .dependency-cruiser.cjs.',
      severity: 'error',
      from: { path: src, pathNot: unit(authServerLayers.flat()) },
      to: {},
    },
    {
      name: 'no-package-internals',
      comment:
        "A package imports another package only through its public entry points (its package.json's exports).",
      severity: 'error',
      from: { path: '^packages/([^/]+)/' },
      to: { path: '^packages/[^/]+/', pathNot: ['^packages/$1/', ...entryPoints] },
    },
    {
      name: 'resource-server-stands-alone',
      comment:
        'packages/resource-server is used by APIs that have no authorization server: it never ' +
        'imports auth-server, storage or cli.',
      severity: 'error',
      from: { path: '^packages/resource-server/' },
      to: { path: '^packages/(auth-server|storage|cli)/' },
    },
    {
      name: 'resource-server-koa-stays-in-its-adapter',
      comment:
        'packages/resource-server: the core is framework-free; only the Koa adapter (the main ' +
        'entry, create-resource-server.ts, middleware/, throttle/throttle.ts, ' +
        'http/send-error.ts, metadata/create-metadata-middleware.ts) refers to koa, even for types.',
      severity: 'error',
      from: {
        path: '^packages/resource-server/src/',
        pathNot: rsKoaAdapter,
      },
      to: { path: '(^|/)node_modules/(@types/)?koa/' },
    },
    ...['express', 'fastify'].map((framework) => ({
      name: `resource-server-${framework}-stays-in-its-adapter`,
      comment: `packages/resource-server: only src/${framework}/ refers to ${framework}.`,
      severity: 'error',
      from: {
        path: '^packages/resource-server/src/',
        pathNot: `^packages/resource-server/src/${framework}/`,
      },
      to: { path: `(^|/)node_modules/(@types/)?${framework}/` },
    })),
    {
      name: 'resource-server-core-imports-no-adapter',
      comment:
        'packages/resource-server: the adapters (Koa, express/, fastify/, node/, fetch/) sit on ' +
        'the core; the core never imports one of them, nor does one adapter import another.',
      severity: 'error',
      from: {
        path: '^packages/resource-server/src/(?!(express|fastify|node|fetch)/)',
        pathNot: rsKoaAdapter,
      },
      to: { path: ['^packages/resource-server/src/(express|fastify|node|fetch)/', rsKoaAdapter] },
    },
    ...['express', 'fastify', 'node', 'fetch'].map((adapter) => ({
      name: `resource-server-${adapter}-imports-no-other-adapter`,
      comment: `packages/resource-server/src/${adapter}/ builds on the core, not on another adapter.`,
      severity: 'error',
      from: { path: `^packages/resource-server/src/${adapter}/` },
      to: {
        path: ['^packages/resource-server/src/(express|fastify|node|fetch)/', rsKoaAdapter],
        pathNot: `^packages/resource-server/src/${adapter}/`,
      },
    })),
    {
      name: 'only-storage-imports-knex-and-pg',
      comment:
        'SQL lives in packages/storage: no other package imports knex or pg. The resource ' +
        "server's PostgreSQL throttle store takes a pool it is given (the API's own database, " +
        'not ours) and never imports pg; only its tests create one.',
      severity: 'error',
      from: { pathNot: ['^packages/storage/', '^packages/resource-server/test/'] },
      to: { path: '(^|/)node_modules/(knex|pg)/' },
    },
    {
      name: 'only-auth-server-imports-oidc-provider',
      comment:
        'oidc-provider is configured in one place, packages/auth-server (e2e may start a bare ' +
        'one as the benchmark reference).',
      severity: 'error',
      from: { pathNot: ['^packages/auth-server/', '^packages/e2e/'] },
      to: { path: '(^|/)node_modules/oidc-provider/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to no file is a typo or a missing dependency.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^packages/[^/]+/dist/' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'node', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.json'],
    },
    cache: false,
  },
};
