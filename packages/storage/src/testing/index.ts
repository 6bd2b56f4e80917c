export { freePort } from '../embedded/embedded-postgres.ts';
export { createTestDatabase, type TestDatabase } from './test-database.ts';
