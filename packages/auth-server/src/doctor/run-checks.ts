import { checkBackchannelLogout } from './check-backchannel-logout.ts';
import { checkClientKeys } from './check-client-keys.ts';
import { checkClientSecrets } from './check-client-secrets.ts';
import { checkClients } from './check-clients.ts';
import { checkConfiguration } from './check-configuration.ts';
import { checkIdentityProviders } from './check-identity-providers.ts';
import { checkOpenRegistration } from './check-open-registration.ts';
import { checkRedirectUris } from './check-redirect-uris.ts';
import { checkRegistration } from './check-registration.ts';
import { checkResources } from './check-resources.ts';
import { checkSchema } from './check-schema.ts';
import { checkServerPolicy } from './check-server-policy.ts';
import { checkSigningKeys } from './check-signing-keys.ts';
import { checkTokenExchange } from './check-token-exchange.ts';
import type { DoctorFacts } from './facts.ts';
import { compareFindings, type Finding } from './finding.ts';

/**
 * Runs every check over loaded facts and returns the findings, errors first. Pure: the same
 * facts always give the same findings, so tests feed facts directly.
 *
 * @example
 * const findings = runChecks(await loadDoctorFacts({ db, env, mode: 'production', dataDir }));
 * const failed = findings.some((f) => f.severity === 'error');
 */
export function runChecks(facts: DoctorFacts): Finding[] {
  const { database, now } = facts;
  return [
    ...checkConfiguration(facts.configuration),
    ...checkServerPolicy(facts.policy),
    ...checkSchema(facts.migrations),
    ...(database
      ? [
          ...checkClients(database.clients, now),
          ...checkRedirectUris(database.clients),
          ...checkBackchannelLogout(database.clients, facts.configuration.mode),
          ...checkClientSecrets(database.clients, now),
          ...checkRegistration(facts.configuration, database.registrationTokens, now),
          ...checkOpenRegistration(facts.configuration, database.resources),
          ...checkClientKeys(database.clients),
          ...checkResources(database.resources),
          ...checkTokenExchange(database.clients, database.resources),
          ...checkSigningKeys(database.keys, now),
          ...checkIdentityProviders(database.identityProviders, facts.configuration.mode),
        ]
      : []),
  ].sort(compareFindings);
}
