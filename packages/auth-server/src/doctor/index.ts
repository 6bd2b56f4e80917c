export { checkBackchannelLogout } from './check-backchannel-logout.ts';
export { checkClientKeys } from './check-client-keys.ts';
export { checkClientSecrets } from './check-client-secrets.ts';
export { checkClients } from './check-clients.ts';
export { checkConfiguration, RANDOM_KEY_EXPRESSION } from './check-configuration.ts';
export { checkOpenRegistration } from './check-open-registration.ts';
export { checkRedirectUris } from './check-redirect-uris.ts';
export { checkRegistration } from './check-registration.ts';
export { checkResources } from './check-resources.ts';
export { checkSchema } from './check-schema.ts';
export { checkServerPolicy } from './check-server-policy.ts';
export { checkSigningKeys } from './check-signing-keys.ts';
export { checkTokenExchange } from './check-token-exchange.ts';
export type {
  ClientFacts,
  ConfigurationFacts,
  DatabaseFacts,
  DoctorFacts,
  DoctorMode,
  RegistrationTokenFacts,
  SecretFacts,
  ServerPolicyFacts,
  SigningKeyFacts,
} from './facts.ts';
export {
  compareFindings,
  type Finding,
  type FindingSubject,
  SEVERITIES,
  type Severity,
  shellQuote,
} from './finding.ts';
export { findingJson } from './finding-json.ts';
export { type LoadDoctorFactsOptions, loadDoctorFacts } from './load-doctor-facts.ts';
export { probeServerPolicy } from './probe-server-policy.ts';
export { reachLogoutReceiver } from './reach-logout-receiver.ts';
export { runChecks } from './run-checks.ts';
export { type DoctorReport, runDoctor, type SkippedCheck } from './run-doctor.ts';
export { DOCTOR_THRESHOLDS } from './thresholds.ts';
