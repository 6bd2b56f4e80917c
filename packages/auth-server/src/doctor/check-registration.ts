import { SETTING } from '../config/settings.ts';
import { registrationTokenStatus } from '../services/registration/registration-tokens.ts';
import type { ConfigurationFacts, RegistrationTokenFacts } from './facts.ts';
import type { Finding } from './finding.ts';

// What ends a token made too loose (the reason says what to create instead).
const revoke = (id: string) => `portcullis clients registration-token revoke ${id}`;
const INSTEAD =
  'revoke it and hand out one made with `clients registration-token create --expires 1d --max-uses 1`';

/**
 * Judges dynamic client registration (RFC 7591): with PORTCULLIS_REGISTRATION on, every live
 * initial access token should expire and be good for a bounded number of registrations (a
 * leaked token otherwise registers clients forever), and wrong tokens must be limited per
 * address; with it off, live tokens are noted (they do nothing until it is turned on). Pure.
 *
 * @example
 * checkRegistration(facts.configuration, facts.database.registrationTokens, facts.now);
 */
export function checkRegistration(
  configuration: ConfigurationFacts,
  tokens: readonly RegistrationTokenFacts[],
  now: Date,
): Finding[] {
  const live = tokens.filter((token) => registrationTokenStatus(token, now) === 'live');
  const on = configuration.env.PORTCULLIS_REGISTRATION === 'on';
  if (!on) {
    return live.map((token) => ({
      id: 'registration-token-unused',
      severity: 'info',
      subject: { kind: 'registration-token', id: token.id },
      reason:
        'This initial access token is live but PORTCULLIS_REGISTRATION is off, so it registers nothing until registration is turned on (docs/operators.md: dynamic client registration).',
      fix: revoke(token.id),
    }));
  }
  const findings: Finding[] = [];
  const addressLimit = configuration.env.PORTCULLIS_LIMIT_CLIENT_AUTH_ADDRESS;
  if (addressLimit === 'off') {
    findings.push({
      id: 'registration-without-address-limit',
      severity: 'warning',
      subject: { kind: 'setting', id: 'PORTCULLIS_LIMIT_CLIENT_AUTH_ADDRESS' },
      reason:
        'Dynamic registration is on and failed initial or registration access tokens are not limited per address, so guessing them costs an attacker nothing but requests (RFC 7591 §5; docs/security.md: brute force).',
      fix: `PORTCULLIS_LIMIT_CLIENT_AUTH_ADDRESS=${SETTING.PORTCULLIS_LIMIT_CLIENT_AUTH_ADDRESS.default}`,
    });
  }
  for (const token of live) {
    const subject = { kind: 'registration-token' as const, id: token.id };
    if (token.expiresAt === null) {
      findings.push({
        id: 'registration-token-never-expires',
        severity: 'warning',
        subject,
        reason: `This initial access token never expires: whoever holds a copy can register clients for as long as registration is on (RFC 7591 §3 and §5); ${INSTEAD}.`,
        fix: revoke(token.id),
      });
    }
    if (token.maxUses === null) {
      findings.push({
        id: 'registration-token-unlimited-uses',
        severity: 'warning',
        subject,
        reason: `This initial access token registers any number of clients: a leaked copy fills the clients table with third-party apps until it is revoked (RFC 7591 §5); ${INSTEAD}.`,
        fix: revoke(token.id),
      });
    }
  }
  return findings;
}
