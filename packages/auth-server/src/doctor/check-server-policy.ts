import type { ServerPolicyFacts } from './facts.ts';
import type { Finding } from './finding.ts';

const SERVER = { kind: 'server', id: 'oidc-provider' } as const;

/**
 * Judges the protocol policy the server's own provider configuration answered with (see
 * probeServerPolicy): PKCE required with S256 only, the code flow only, no password or implicit
 * grant, asymmetric signatures only, no `client_secret_jwt` (our secrets are hashed), pushed
 * authorization requests offered and request objects not.
 * A policy that could not be asked is a warning. Pure: reads only `policy`.
 *
 * @example
 * checkServerPolicy(await probeServerPolicy()); // [] for a sound build
 */
export function checkServerPolicy(policy: ServerPolicyFacts | { error: string }): Finding[] {
  if ('error' in policy) {
    return [
      {
        id: 'server-policy-unchecked',
        severity: 'warning',
        subject: SERVER,
        reason: `The server's provider could not be asked for its policy (${policy.error}), so PKCE, response types and grant types went unchecked.`,
        fix: null,
      },
    ];
  }
  const findings: Finding[] = [];
  // No setting changes this policy: it is this build's code, so no fix is offered.
  const add = (id: string, reason: string) =>
    findings.push({ id, severity: 'error', subject: SERVER, reason, fix: null });

  if (policy.missingChallengeError !== 'invalid_request') {
    add(
      'pkce-not-required',
      `An authorization request without code_challenge was ${policy.missingChallengeError ? `answered ${policy.missingChallengeError}` : 'accepted'}, not refused with invalid_request, so PKCE is not enforced (RFC 9700 §2.1.1; docs/security.md).`,
    );
  }
  const otherMethods = policy.codeChallengeMethods.filter((m) => m !== 'S256');
  if (otherMethods.length > 0 || !policy.codeChallengeMethods.includes('S256')) {
    add(
      'pkce-method-not-s256',
      `The server offers PKCE methods ${policy.codeChallengeMethods.join(', ') || '(none)'} instead of S256 only, which allows a PKCE downgrade (RFC 9700 §2.1.1, §4.8).`,
    );
  }
  const otherResponseTypes = policy.responseTypes.filter((t) => t !== 'code');
  if (otherResponseTypes.length > 0) {
    add(
      'response-type-not-code',
      `The server offers response types ${otherResponseTypes.join(', ')} besides code, which return tokens in the redirect (RFC 9700 §2.1.2; docs/security.md: code only).`,
    );
  }
  for (const grant of policy.grantTypes.filter((g) => g === 'password' || g === 'implicit')) {
    add(
      `server-${grant}-grant`,
      `The server offers the ${grant} grant, which RFC 9700 ${grant === 'password' ? '§2.4 says MUST NOT be used' : '§2.1.2 says clients SHOULD NOT use'} (docs/security.md).`,
    );
  }
  const symmetric = policy.signingAlgorithms.filter((a) => /^HS/i.test(a) || a === 'none');
  if (symmetric.length > 0) {
    add(
      'symmetric-signing-offered',
      `The server offers the signing algorithms ${symmetric.join(', ')}, which key on client secrets we store only hashed, or sign nothing (docs/security.md; RFC 8725 §3.1).`,
    );
  }
  if (!policy.pushedAuthorizationRequestEndpoint) {
    add(
      'par-not-offered',
      'The server offers no pushed authorization request endpoint, so clients registered with --require-par (and every client under PORTCULLIS_REQUIRE_PAR=on) cannot sign anyone in (RFC 9126; docs/operators.md: pushed authorization requests).',
    );
  }
  if (policy.requestObjects) {
    add(
      'request-objects-offered',
      'The server accepts request objects (JAR, RFC 9101), which Portcullis leaves off: no client has keys registered to sign them, and unsigned ones prove nothing (docs/security.md: pushed authorization requests).',
    );
  }
  if (policy.tokenEndpointAuthMethods.includes('client_secret_jwt')) {
    add(
      'client-secret-jwt-offered',
      'The server offers client_secret_jwt authentication, which needs the plain client secret that we store only hashed (docs/security.md: client authentication).',
    );
  }
  return findings;
}
