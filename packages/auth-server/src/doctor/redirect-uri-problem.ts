import type { Finding } from './finding.ts';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const SCRIPT_SCHEMES = new Set(['javascript', 'data', 'vbscript', 'file', 'blob', 'about']);

/** What is wrong with a redirect URI: a finding without its subject and fix. */
export type RedirectUriProblem = Pick<Finding, 'id' | 'severity' | 'reason'>;

const invalid = (reason: string): RedirectUriProblem => ({
  id: 'redirect-uri-invalid',
  severity: 'error',
  reason,
});

/**
 * What is wrong with one registered redirect URI, if anything: the rules `clients create`
 * enforces (services/validation.ts), judged on what is stored, which may predate them.
 *
 * @example
 * redirectUriProblem('http://app.example.com/cb')?.id; // 'redirect-uri-not-https'
 * redirectUriProblem('https://app.example.com/cb'); // undefined
 */
export function redirectUriProblem(uri: string): RedirectUriProblem | undefined {
  const quoted = `The redirect URI "${uri}"`;
  if (uri.includes('*')) {
    return {
      id: 'redirect-uri-wildcard',
      severity: 'error',
      reason: `${quoted} holds a wildcard, but redirect URIs must match exactly or codes can be sent to an attacker's page (RFC 9700 §2.1, §4.1).`,
    };
  }
  if (uri.includes('#')) {
    return {
      id: 'redirect-uri-fragment',
      severity: 'error',
      reason: `${quoted} has a fragment, which RFC 6749 §3.1.2 forbids.`,
    };
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return invalid(
      `${quoted} is not an absolute URI, so it cannot be matched exactly (RFC 9700 §2.1).`,
    );
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  if (url.username || url.password) {
    return invalid(`${quoted} holds credentials, which anyone who sees the URI can read.`);
  }
  if (SCRIPT_SCHEMES.has(scheme)) {
    return invalid(
      `${quoted} uses the ${scheme}: scheme, which can run script in the browser (docs/security.md: redirect URIs).`,
    );
  }
  if (scheme === 'http' && !LOOPBACK.has(url.hostname)) {
    return {
      id: 'redirect-uri-not-https',
      severity: 'error',
      reason: `${quoted} is plain http off loopback, so codes travel unencrypted (RFC 9700 §2.6: http only for native apps on loopback).`,
    };
  }
  if (scheme !== 'http' && scheme !== 'https' && !scheme.includes('.')) {
    return {
      id: 'redirect-uri-custom-scheme',
      severity: 'warning',
      reason: `${quoted} uses a private-use scheme not in reverse-domain form, which another app may claim (RFC 8252 §7.1).`,
    };
  }
  return undefined;
}
