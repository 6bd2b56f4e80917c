export { freePort } from '../embedded/embedded-postgres.ts';
export { createEmbeddedDataDir, type EmbeddedDataDir } from './embedded-data-dir.ts';
export { type FreezableProxy, startFreezableProxy } from './freezable-proxy.ts';
export { statementsOf } from './statements-of.ts';
export { createTestDatabase, type TestDatabase } from './test-database.ts';
