export { type AuthServer, type AuthServerDeps, createAuthServer } from './app.ts';
export { loadOrCreateDevSecrets } from './config/dev-secrets.ts';
export {
  type DevSecrets,
  loadServerConfig,
  parsePort,
  SETTINGS,
  type ServerConfig,
  type Setting,
} from './config/server-config.ts';
export { AuthServerError, type AuthServerErrorCode } from './errors.ts';
export { loadSigningKeys, type PrivateJwk } from './keys/signing-keys.ts';
export { createJsonLogger, type Logger, silentLogger } from './logger.ts';
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
export * from './services/clients-service.ts';
export * from './services/grants-service.ts';
export * from './services/resource-catalogue.ts';
export * from './services/resources-apply.ts';
export * from './services/resources-service.ts';
export * from './services/users-service.ts';
