import type { ClientRecord } from '@portcullis/storage';
import { SUPPORTED_GRANTS, shortGrant, storedGrant } from '../domain/grants.ts';
import { type FindingSubject, shellQuote } from './finding.ts';
import { redirectUriProblem } from './redirect-uri-problem.ts';

const SUPPORTED = new Set<string>(SUPPORTED_GRANTS.map(storedGrant));
const PLACEHOLDER_REDIRECT = 'https://app.example.com/callback';

/** True for a grant type clients can be registered for. */
export const isSupportedGrant = (grant: string): boolean => SUPPORTED.has(grant);

/** The subject of a finding about `client`. */
export const clientSubject = (client: ClientRecord): FindingSubject => ({
  kind: 'client',
  id: client.id,
  label: client.name,
});

/** The client's redirect URIs with the bad ones dropped and plain-http ones moved to https. */
function repairedRedirectUris(uris: readonly string[]): string[] {
  return uris.flatMap((uri) => {
    const problem = redirectUriProblem(uri);
    if (!problem) return [uri];
    if (problem.id !== 'redirect-uri-not-https') return [];
    const https = `https:${uri.slice(uri.indexOf(':') + 1)}`;
    return redirectUriProblem(https) ? [] : [https];
  });
}

// What `clients update` needs besides the finding's own change to accept the client at all: it
// validates the whole client as `create` does, so a stored grant, redirect URI or type it would
// refuse must be repaired in the same command.
function repairs(client: ClientRecord): string[] {
  const args: string[] = [];
  const grants = client.grantTypes.filter(isSupportedGrant);
  if (grants.length < client.grantTypes.length && grants.length > 0) {
    args.push('--grant', ...grants.map(shortGrant));
  }
  if (client.redirectUris.some((uri) => redirectUriProblem(uri))) {
    const kept = repairedRedirectUris(client.redirectUris);
    args.push('--redirect-uri', ...(kept.length > 0 ? kept : [PLACEHOLDER_REDIRECT]));
  }
  if (client.isPublic && grants.includes('client_credentials')) args.push('--confidential');
  return args;
}

/**
 * The `portcullis clients update` command that makes `change` and, with it, every repair the
 * update's validation needs, so any one client fix can be run on its own. A client left with
 * no supported grant cannot be repaired: the fix deletes it.
 *
 * @example
 * fixClient(client, '--access-token-ttl', '10m');
 * // 'portcullis clients update 3f9c… --access-token-ttl 10m --grant authorization_code'
 */
export function fixClient(client: ClientRecord, ...change: string[]): string {
  if (client.grantTypes.length > 0 && !client.grantTypes.some(isSupportedGrant)) {
    return `portcullis clients delete ${shellQuote(client.id)}`;
  }
  return ['portcullis clients update', client.id, ...change, ...repairs(client)]
    .map((arg, i) => (i === 0 ? arg : shellQuote(arg)))
    .join(' ');
}
