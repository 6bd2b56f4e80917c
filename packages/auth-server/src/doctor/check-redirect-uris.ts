import { clientSubject, fixClient } from './client-fix.ts';
import type { ClientFacts } from './facts.ts';
import type { Finding } from './finding.ts';
import { redirectUriProblem } from './redirect-uri-problem.ts';

/**
 * Judges every registered redirect URI (disabled clients' too: enabling them brings the URIs
 * back): absolute, exact (no wildcard), no fragment, https or loopback http, no script-capable
 * scheme, private-use schemes in reverse-domain form. Each fix replaces the client's list with
 * the sound URIs, plain-http ones moved to https (see fixClient). Pure: reads only `clients`.
 *
 * @example
 * checkRedirectUris(facts.database.clients);
 */
export function checkRedirectUris(clients: readonly ClientFacts[]): Finding[] {
  return clients.flatMap(({ client }) =>
    client.redirectUris.flatMap((uri): Finding[] => {
      const problem = redirectUriProblem(uri);
      return problem
        ? [{ ...problem, subject: clientSubject(client), fix: fixClient(client) }]
        : [];
    }),
  );
}
