export { createDatabase, type Database, type DatabaseOptions, pingDatabase } from './database.ts';
export { SYSTEM_DIR as EMBEDDED_SYSTEM_DIR } from './embedded/cluster-location.ts';
export {
  type EmbeddedOptions,
  type RunningDatabase,
  removeEmbeddedPostgres,
  resolveDatabase,
  startEmbeddedPostgres,
} from './embedded/embedded-postgres.ts';
export { findPostgresBinaries, type PostgresBinaries } from './embedded/postgres-binaries.ts';
export {
  isDatabaseUnavailable,
  isUniqueViolation,
  StorageError,
  type StorageErrorCode,
} from './errors.ts';
export {
  assertSchemaCurrent,
  type MigrationStatus,
  migrateLatest,
  migrationNames,
  migrationStatus,
  PendingMigrationsError,
} from './migrator.ts';
export {
  type Change,
  type ChangeListener,
  listenForChanges,
  notifyChange,
} from './notifications.ts';
export { databasePoolStats, type PoolStats } from './pool-stats.ts';
export {
  type ArtifactCounts,
  type ArtifactsRepository,
  type ArtifactWrite,
  type CompanionWrites,
  createArtifactsRepository,
  type StoredArtifact,
} from './repositories/artifacts-repository.ts';
export {
  type AuditEventRecord,
  type AuditEventType,
  type AuditQuery,
  type AuditRepository,
  auditEventTypes,
  createAuditRepository,
  type NewAuditEvent,
} from './repositories/audit-repository.ts';
export {
  type AuditOption,
  type ClientFields,
  type ClientJwks,
  type ClientRecord,
  type ClientSecretRecord,
  type ClientsRepository,
  createClientsRepository,
  type NewClient,
  type NewClientSecret,
  type RegisteredVia,
  type RegistrationAccessChange,
  type TokenEndpointAuthMethod,
} from './repositories/clients-repository.ts';
export {
  createFactorsRepository,
  type FactorKind,
  type FactorRecord,
  type FactorsRepository,
} from './repositories/factors-repository.ts';
export {
  createGrantsRepository,
  type GrantPageQuery,
  type GrantPageRow,
  type GrantRecord,
  type GrantsRepository,
  grantPageKey,
} from './repositories/grants-repository.ts';
export {
  createIdentityProvidersRepository,
  type IdentityProviderChanges,
  type IdentityProviderKind,
  type IdentityProviderLinkRecord,
  type IdentityProviderRecord,
  type IdentityProvidersRepository,
  type NewIdentityProvider,
} from './repositories/identity-providers-repository.ts';
export {
  createJanitorRepository,
  type JanitorRepository,
  type PurgeableCounts,
} from './repositories/janitor-repository.ts';
export {
  createKeysRepository,
  type KeySnapshot,
  type KeyState,
  type KeysRepository,
  type KeyTransitions,
  type NewSigningKey,
  type RetirementPolicy,
  type SigningKeyRecord,
} from './repositories/keys-repository.ts';
export {
  createLogoutNoticesRepository,
  type LogoutNotice,
  type LogoutNoticesRepository,
} from './repositories/logout-notices-repository.ts';
export type { NamePageQuery } from './repositories/name-page.ts';
export {
  createOperatorTokensRepository,
  type OperatorTokenPageQuery,
  type OperatorTokenRecord,
  type OperatorTokensRepository,
} from './repositories/operator-tokens-repository.ts';
export {
  type ChallengePurpose,
  createPasskeysRepository,
  type NewPasskey,
  type PasskeyRecord,
  type PasskeysRepository,
} from './repositories/passkeys-repository.ts';
export {
  createRateLimitsRepository,
  type RateLimitCounter,
  type RateLimitsRepository,
  rateLimiterStore,
} from './repositories/rate-limits-repository.ts';
export {
  createRegistrationTokensRepository,
  type NewRegistrationToken,
  type RegistrationTokenRecord,
  type RegistrationTokensRepository,
} from './repositories/registration-tokens-repository.ts';
export {
  createResourcesApplyRepository,
  type DecideWrites,
  type ResourcesApplyRepository,
  type ResourceWrites,
} from './repositories/resources-apply-repository.ts';
export {
  createResourcesRepository,
  type DeletedResource,
  type NewResource,
  type ResourceAuditOption,
  type ResourceChanges,
  type ResourceRecord,
  type ResourcesRepository,
  type ScopeRecord,
} from './repositories/resources-repository.ts';
export {
  createRevocationsRepository,
  type NewRevocation,
  publishRevocations,
  type RevocationKind,
  type RevocationPage,
  type RevocationRecord,
  type RevocationsRepository,
} from './repositories/revocations-repository.ts';
export {
  createRolesRepository,
  type NewRole,
  type RoleRecord,
  type RoleScope,
  type RolesRepository,
  type UserResourceRoles,
} from './repositories/roles-repository.ts';
export {
  createSignupLinksRepository,
  type SignupLinkKind,
  type SignupLinkRecord,
  type SignupLinksRepository,
} from './repositories/signup-links-repository.ts';
export {
  createUserTokensRepository,
  type UserTokenPurpose,
  type UserTokenRecord,
  type UserTokensRepository,
} from './repositories/user-tokens-repository.ts';
export {
  createUsersRepository,
  type NewUser,
  type UserRecord,
  type UsersRepository,
  type UserWithFactor,
} from './repositories/users-repository.ts';
export { lockTransaction } from './transaction-lock.ts';
