import type { Knex } from 'knex';
import type { Database } from './database.ts';
import * as initial from './migrations/0001-initial.ts';
import * as users from './migrations/0002-users.ts';
import * as clientPresentation from './migrations/0003-client-presentation.ts';
import * as auditEvents from './migrations/0004-audit-events.ts';
import * as clientLifecycle from './migrations/0005-client-lifecycle.ts';
import * as tokensAndIntrospection from './migrations/0006-tokens-and-introspection.ts';
import * as signingKeySchedule from './migrations/0007-signing-key-schedule.ts';
import * as rateLimits from './migrations/0008-rate-limits.ts';
import * as hashedArtifactIds from './migrations/0009-hashed-artifact-ids.ts';
import * as clientWebOrigins from './migrations/0010-client-web-origins.ts';
import * as clientDpop from './migrations/0011-client-dpop-bound-access-tokens.ts';
import * as clientPrivateKeyJwt from './migrations/0012-client-private-key-jwt.ts';
import * as clientRequirePar from './migrations/0013-client-require-par.ts';
import * as dynamicRegistration from './migrations/0014-dynamic-registration.ts';
import * as clientBackchannelLogout from './migrations/0015-client-backchannel-logout.ts';
import * as mfa from './migrations/0016-mfa.ts';
import * as userTokens from './migrations/0017-user-tokens.ts';
import * as roles from './migrations/0018-roles.ts';
import * as identityProviders from './migrations/0019-identity-providers.ts';
import * as signupLinks from './migrations/0020-signup-links.ts';
import * as passkeys from './migrations/0021-passkeys.ts';
import * as revocations from './migrations/0022-revocations.ts';
import * as clientTokenExchange from './migrations/0023-client-token-exchange.ts';
import * as logoutNotices from './migrations/0024-logout-notices.ts';
import * as namePageIndexes from './migrations/0025-name-page-indexes.ts';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

// The ordered list of every migration. Append only: a merged migration never changes.
const MIGRATIONS: ReadonlyArray<readonly [string, Migration]> = [
  ['0001-initial', initial],
  ['0002-users', users],
  ['0003-client-presentation', clientPresentation],
  ['0004-audit-events', auditEvents],
  ['0005-client-lifecycle', clientLifecycle],
  ['0006-tokens-and-introspection', tokensAndIntrospection],
  ['0007-signing-key-schedule', signingKeySchedule],
  ['0008-rate-limits', rateLimits],
  ['0009-hashed-artifact-ids', hashedArtifactIds],
  ['0010-client-web-origins', clientWebOrigins],
  ['0011-client-dpop-bound-access-tokens', clientDpop],
  ['0012-client-private-key-jwt', clientPrivateKeyJwt],
  ['0013-client-require-par', clientRequirePar],
  ['0014-dynamic-registration', dynamicRegistration],
  ['0015-client-backchannel-logout', clientBackchannelLogout],
  ['0016-mfa', mfa],
  ['0017-user-tokens', userTokens],
  ['0018-roles', roles],
  ['0019-identity-providers', identityProviders],
  ['0020-signup-links', signupLinks],
  ['0021-passkeys', passkeys],
  ['0022-revocations', revocations],
  ['0023-client-token-exchange', clientTokenExchange],
  ['0024-logout-notices', logoutNotices],
  ['0025-name-page-indexes', namePageIndexes],
];

/** The name of every migration, in the order they run. */
export const migrationNames: readonly string[] = MIGRATIONS.map(([name]) => name);

const TABLE = 'portcullis_migrations';

// knex's programmatic API with our own source, so migrations are plain imports (no file globbing)
// and each one runs in a transaction together with its row in the migrations table.
const source: Knex.MigrationSource<readonly [string, Migration]> = {
  getMigrations: async () => [...MIGRATIONS],
  getMigrationName: ([name]) => name,
  getMigration: async ([, migration]) => migration,
};

const config: Knex.MigratorConfig = {
  migrationSource: source,
  tableName: TABLE,
  disableMigrationsListValidation: false,
};

/** The state of the schema: which migrations ran and which are waiting. */
export interface MigrationStatus {
  applied: string[];
  pending: string[];
}

/** Applies every pending migration; returns the names it applied, in order. */
export async function migrateLatest(db: Database): Promise<string[]> {
  const [, applied] = (await db.migrate.latest(config)) as [number, string[]];
  return applied;
}

/** Lists applied and pending migrations without changing anything. */
export async function migrationStatus(db: Database): Promise<MigrationStatus> {
  const [completed, pending] = (await db.migrate.list(config)) as [
    Array<{ name: string }>,
    Array<readonly [string, Migration]>,
  ];
  return {
    applied: completed.map((m) => m.name),
    pending: pending.map(([name]) => name),
  };
}

/**
 * Throws a {@link PendingMigrationsError} when the schema is behind the code, so servers refuse
 * to start on an old schema.
 */
export async function assertSchemaCurrent(db: Database): Promise<void> {
  const { pending } = await migrationStatus(db);
  if (pending.length > 0) throw new PendingMigrationsError(pending);
}

/** The schema has migrations that were not applied yet. */
export class PendingMigrationsError extends Error {
  readonly code = 'pending_migrations';
  readonly pending: string[];

  constructor(pending: string[]) {
    super(
      `the database has ${pending.length} pending migration(s) (${pending.join(', ')}): run \`portcullis db migrate\` first`,
    );
    this.name = 'PendingMigrationsError';
    this.pending = pending;
  }
}
