import type { DoctorMode, IdentityProviderFacts } from './facts.ts';
import type { Finding } from './finding.ts';

/**
 * Judges the "Sign in with" providers: a client secret the configured key-encryption key does
 * not decrypt (every sign-in through it gets a "not available" page), and, in production, a
 * provider reached over plain http (allowed on loopback for development: a provider's answer
 * says who the user is, so it must come over TLS). Pure.
 *
 * @example
 * checkIdentityProviders(facts.database.identityProviders, facts.configuration.mode);
 */
export function checkIdentityProviders(
  providers: readonly IdentityProviderFacts[],
  mode: DoctorMode,
): Finding[] {
  return providers.flatMap((provider): Finding[] => {
    const subject = { kind: 'identity-provider' as const, id: provider.id, label: provider.name };
    const findings: Finding[] = [];
    if (provider.decrypts === false) {
      findings.push({
        id: 'identity-provider-secret-undecryptable',
        severity: 'error',
        subject,
        reason: `The configured key-encryption key does not decrypt the client secret of ${provider.name}, so every sign-in through it gets a "not available" page (docs/security.md: secrets at rest).`,
        fix: `portcullis idps update ${provider.id} --client-secret-stdin`,
      });
    }
    const plain = [
      provider.issuer,
      provider.authorizationEndpoint,
      provider.tokenEndpoint,
      provider.apiUrl,
    ]
      .filter((url): url is string => url !== null)
      .find((url) => url.startsWith('http:'));
    if (mode === 'production' && plain) {
      findings.push({
        id: 'identity-provider-not-https',
        severity: 'error',
        subject,
        reason: `${provider.name} is reached over plain http (${plain}): who signs in through it would be decided by whatever answers on that connection (RFC 9700 §2.6: TLS end to end).`,
        fix: null,
      });
    }
    return findings;
  });
}
