/**
 * `@portcullis/auth-server/config`: what needs neither the database nor the HTTP server, so a
 * command line loads it in milliseconds: the settings and their validation, durations, the
 * development secrets, secret generation, and the names and defaults operators see (grants,
 * signing algorithms, key rotation, the janitor), and the JSON shapes that both the admin API
 * and the CLI write. Everything here is also exported by the package's main entry.
 */

export {
  ADMIN_API_PATH,
  ADMIN_RESOURCE,
  ADMIN_SCOPES,
  type AdminScope,
} from '../domain/admin-api.ts';
export { formatDuration, parseDuration } from '../domain/duration.ts';
export { FIELD_KEYS } from '../domain/field-keys.ts';
export { DEVICE_CODE_GRANT, SUPPORTED_GRANTS, shortGrant } from '../domain/grants.ts';
export { DEFAULT_ACCESS_TOKEN_TTL, DEFAULT_REFRESH_TOKEN_TTL } from '../domain/lifetimes.ts';
export { SIGNING_ALGORITHMS, type SigningAlgorithm } from '../domain/signing-algorithms.ts';
export { AuthServerError, type AuthServerErrorCode, type ErrorSubject } from '../errors.ts';
export {
  DEFAULT_CONSUMED_MARGIN_SECONDS,
  DEFAULT_PURGE_BATCH,
} from '../janitor/purge-defaults.ts';
export { parseKeyEncryptionKey } from '../keys/key-encryption.ts';
export { DEFAULT_PROPAGATION_SECONDS, RETIREMENT_POLICY } from '../keys/rotation-policy.ts';
export {
  type ClientJson,
  clientJson,
  type SecretJson,
  secretJson,
} from '../views/client-json.ts';
export { type GrantJson, grantJson } from '../views/grant-json.ts';
export { type KeyJson, keyJson } from '../views/key-json.ts';
export { type OperatorTokenJson, operatorTokenJson } from '../views/operator-token-json.ts';
export { findDevSecrets, loadOrCreateDevSecrets } from './dev-secrets.ts';
export { generateServerSecrets, type ServerSecrets } from './generate-secrets.ts';
export {
  type DevSecrets,
  loadInviteConfig,
  loadServerConfig,
  parseHost,
  parsePort,
  rejectUnknownSettings,
  type ServerConfig,
} from './server-config.ts';
export { SETTING, SETTINGS, type Setting, type SettingUse } from './settings.ts';
