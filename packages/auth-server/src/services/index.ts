/**
 * `@portcullis/auth-server/services`: the operations on the database that the CLI runs (clients,
 * resources, users, grants, signing keys, declarative registration, the janitor, the audit trail,
 * dev's seed), each owning its transactions and audit events, without the HTTP server,
 * oidc-provider or the doctor, so a command loads only PostgreSQL's client and these. Issuing and
 * revoking tokens needs oidc-provider: that service is in the main entry only (listing them is
 * here). Everything here is
 * also exported by the main entry.
 */
export * from '../janitor/janitor.ts';
export * from '../keys/keys-service.ts';
export { clearSignInFailures } from '../limits/clear-sign-in-failures.ts';
export { inLanguage } from '../mail/account-mails.ts';
export { createSmtpMailer, type Mail, type Mailer } from '../mail/mailer.ts';
export {
  generateClientSecret,
  hashClientSecret,
  verifyClientSecret,
} from '../secrets/client-secret.ts';
export {
  hashPassword,
  needsRehash,
  verifyAgainstDummy,
  verifyPassword,
} from '../secrets/password.ts';
export * from './admin-client.ts';
export * from './apply/index.ts';
export * from './audit-log.ts';
export * from './clients-service.ts';
export * from './grants-service.ts';
export * from './identity-providers/identity-providers-service.ts';
export type * from './identity-providers/provider-input.ts';
export * from './introspection-client-seed.ts';
export * from './operator-tokens-service.ts';
export * from './registration/index.ts';
export * from './resource-catalogue.ts';
export * from './resource-seed.ts';
export * from './resources-apply.ts';
export * from './resources-service.ts';
export * from './roles-service.ts';
export * from './signup-service.ts';
export * from './user-factors-service.ts';
export * from './users-service.ts';
