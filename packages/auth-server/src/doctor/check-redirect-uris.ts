import type { ClientRecord } from '@portcullis/storage';
import { clientSubject, updateClient } from './check-clients.ts';
import type { ClientFacts } from './facts.ts';
import { type Finding, shellQuote } from './finding.ts';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const SCRIPT_SCHEMES = new Set(['javascript', 'data', 'vbscript', 'file', 'blob', 'about']);

type Problem = Pick<Finding, 'id' | 'severity' | 'reason'>;

/** What is wrong with one redirect URI, if anything. */
function problemOf(uri: string): Problem | undefined {
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
      `${quoted} uses the ${scheme}: scheme, which can run script in the browser (SECURITY.md: redirect URIs).`,
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

const invalid = (reason: string): Problem => ({
  id: 'redirect-uri-invalid',
  severity: 'error',
  reason,
});

// The client's redirect URIs with the bad ones dropped, plain-http ones moved to https.
function repaired(uris: readonly string[]): string[] {
  return uris.flatMap((uri) => {
    const problem = problemOf(uri);
    if (!problem) return [uri];
    if (problem.id !== 'redirect-uri-not-https') return [];
    const https = `https:${uri.slice(uri.indexOf(':') + 1)}`;
    return problemOf(https) ? [] : [https];
  });
}

function fixFor(client: ClientRecord): string {
  const kept = repaired(client.redirectUris);
  return kept.length > 0
    ? updateClient(client, '--redirect-uri', ...kept.map(shellQuote))
    : updateClient(client, '--redirect-uri', shellQuote('https://app.example.com/callback'));
}

/**
 * Judges every registered redirect URI (disabled clients' too: enabling them brings the URIs
 * back): absolute, exact (no wildcard), no fragment, https or loopback http, no script-capable
 * scheme, private-use schemes in reverse-domain form. Each fix replaces the client's list with
 * the sound URIs, plain-http ones moved to https. Pure: reads only `clients`.
 *
 * @example
 * checkRedirectUris(facts.database.clients);
 */
export function checkRedirectUris(clients: readonly ClientFacts[]): Finding[] {
  return clients.flatMap(({ client }) =>
    client.redirectUris.flatMap((uri): Finding[] => {
      const problem = problemOf(uri);
      return problem ? [{ ...problem, subject: clientSubject(client), fix: fixFor(client) }] : [];
    }),
  );
}
