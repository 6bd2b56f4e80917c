export { type AuthServer, type AuthServerDeps, createAuthServer } from './app.ts';
export { findDevSecrets, loadOrCreateDevSecrets } from './config/dev-secrets.ts';
export { generateServerSecrets, type ServerSecrets } from './config/generate-secrets.ts';
export {
  type DevSecrets,
  loadServerConfig,
  parseHost,
  parsePort,
  rejectUnknownSettings,
  type ServerConfig,
} from './config/server-config.ts';
export { SETTING, SETTINGS, type Setting, type SettingUse } from './config/settings.ts';
export * from './doctor/index.ts';
export {
  ADMIN_API_PATH,
  ADMIN_RESOURCE,
  ADMIN_SCOPES,
  type AdminScope,
} from './domain/admin-api.ts';
export { formatDuration, parseDuration } from './domain/duration.ts';
export { FIELD_KEYS } from './domain/field-keys.ts';
export { AuthServerError, type AuthServerErrorCode, type ErrorSubject } from './errors.ts';
export * from './janitor/janitor.ts';
export * from './janitor/schedule.ts';
export { parseKeyEncryptionKey } from './keys/key-encryption.ts';
export * from './keys/keys-service.ts';
export { DEFAULT_PROPAGATION_SECONDS, RETIREMENT_POLICY } from './keys/rotation-policy.ts';
export {
  loadSigningKeys,
  type PrivateJwk,
  SIGNING_ALGORITHMS,
  type SigningAlgorithm,
} from './keys/signing-keys.ts';
export { clearSignInFailures, signInFailuresKey } from './limits/clear-sign-in-failures.ts';
export { startClusterMetricsServer } from './observability/cluster-metrics.ts';
export { createJsonLogger, type Logger, silentLogger } from './observability/logger.ts';
export { createMetrics, type Metrics } from './observability/metrics.ts';
export * from './provider/tokens-service.ts';
export {
  generateClientSecret,
  hashClientSecret,
  verifyClientSecret,
} from './secrets/client-secret.ts';
export {
  hashPassword,
  needsRehash,
  verifyAgainstDummy,
  verifyPassword,
} from './secrets/password.ts';
export * from './services/admin-client.ts';
export * from './services/apply/index.ts';
export * from './services/audit-log.ts';
export * from './services/clients-service.ts';
export * from './services/grants-service.ts';
export * from './services/identity-providers/identity-providers-service.ts';
export * from './services/introspection-client-seed.ts';
export * from './services/mfa-service.ts';
export * from './services/operator-tokens-service.ts';
export * from './services/registration/index.ts';
export * from './services/resource-catalogue.ts';
export * from './services/resource-seed.ts';
export * from './services/resources-apply.ts';
export * from './services/resources-service.ts';
export * from './services/roles-service.ts';
export * from './services/user-factors-service.ts';
export * from './services/users-service.ts';
export {
  type ClientJson,
  clientJson,
  type SecretJson,
  secretJson,
} from './views/client-json.ts';
export { type GrantJson, grantJson } from './views/grant-json.ts';
export { type KeyJson, keyJson } from './views/key-json.ts';
export { type OperatorTokenJson, operatorTokenJson } from './views/operator-token-json.ts';
