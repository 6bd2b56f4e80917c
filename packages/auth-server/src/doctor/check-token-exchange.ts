import type { ResourceRecord } from '@portcullis/storage';
import { clientSubject } from './client-fix.ts';
import type { ClientFacts } from './facts.ts';
import { type Finding, shellQuote } from './finding.ts';

/**
 * Judges each enabled client's token-exchange policy (`clients update --may-exchange-for`,
 * RFC 8693) against what the server would accept, so a policy that can never work is found
 * before a service hits its refusals. Pure.
 *
 * - `token-exchange-serves-no-api` (warning): no resource names the client as introspection
 *   client, so no subject token was issued for an API it serves: every exchange is refused.
 * - `token-exchange-no-common-scope` (warning): none of a target resource's scopes is both
 *   allowed to the client and a scope of an API it serves, so no subject token could carry one:
 *   every exchange for that target is `invalid_scope` (scopes only narrow).
 *
 * @example
 * checkTokenExchange(facts.database.clients, facts.database.resources);
 */
export function checkTokenExchange(
  clients: readonly ClientFacts[],
  resources: readonly ResourceRecord[],
): Finding[] {
  const findings: Finding[] = [];
  for (const { client } of clients) {
    if (client.disabledAt || client.mayExchangeFor.length === 0) continue;
    const subject = clientSubject(client);
    const id = shellQuote(client.id);
    const served = resources.filter((r) => r.introspectionClients.includes(client.id));
    if (served.length === 0) {
      findings.push({
        id: 'token-exchange-serves-no-api',
        severity: 'warning',
        subject,
        reason:
          'The client may exchange tokens, but no resource names it as an introspection client, so no user token was issued for an API it serves and every exchange is refused (docs/security.md: token exchange).',
        fix: `portcullis resources update API-IT-SERVES --introspection-client ${id}`,
      });
      continue;
    }
    const carried = new Set(served.flatMap((r) => r.scopes.map((s) => s.name)));
    for (const identifier of client.mayExchangeFor) {
      const target = resources.find((r) => r.identifier === identifier);
      if (!target) continue;
      const usable = target.scopes.filter(
        (s) => client.scopes.includes(s.name) && carried.has(s.name),
      );
      if (usable.length > 0) continue;
      // The fix: a scope of the target the served API defines too (the user then grants it to
      // the app), and allowed to the client if it is not yet.
      const held = target.scopes.find((s) => client.scopes.includes(s.name));
      const scope = (held ?? target.scopes[0])?.name ?? 'SCOPE';
      const defineOnServed = `portcullis resources update ${shellQuote(served[0]?.identifier ?? '')} --scope ${shellQuote(`${scope}=DESCRIPTION`)}`;
      const allowToClient = `portcullis clients update ${id} --scope ${shellQuote([...client.scopes, scope].join(' '))}`;
      findings.push({
        id: 'token-exchange-no-common-scope',
        severity: 'warning',
        subject,
        reason: `No scope of ${identifier} is both allowed to the client and a scope of an API it serves, so no user token carries one and every exchange for it is invalid_scope: scopes only narrow (docs/security.md: token exchange).`,
        fix: held ? defineOnServed : `${defineOnServed} && ${allowToClient}`,
      });
    }
  }
  return findings;
}
