import type { ClientRecord } from '@portcullis/storage';
import { usableClientKeys } from '../services/clients/client-keys.ts';
import { clientSubject } from './client-fix.ts';
import type { ClientFacts } from './facts.ts';
import { type Finding, shellQuote } from './finding.ts';

const newKeys = (client: ClientRecord) =>
  `portcullis clients update ${shellQuote(client.id)} --jwks-file PUBLIC-KEYS.json`;

/**
 * Judges each enabled `private_key_jwt` client's keys: it needs at least one key the servers
 * accept (a public ES256, PS256 or Ed25519 key with a kid), held here or published at its
 * `jwks_uri`, and that URI must answer; without, every token request of the client fails. Pure:
 * the published set was fetched with the facts.
 *
 * @example
 * checkClientKeys(facts.database.clients);
 */
export function checkClientKeys(clients: readonly ClientFacts[]): Finding[] {
  return clients.flatMap(({ client, publishedKeys }): Finding[] => {
    if (client.tokenEndpointAuthMethod !== 'private_key_jwt' || client.disabledAt) return [];
    const subject = clientSubject(client);
    if (client.jwksUri !== null) {
      if (publishedKeys === undefined) return [];
      if ('error' in publishedKeys) {
        return [
          {
            id: 'client-jwks-uri-unreachable',
            severity: 'warning',
            subject,
            reason: `The client's key set at ${client.jwksUri} could not be fetched (${publishedKeys.error}), so the servers cannot check its assertions and every token request fails.`,
            fix: newKeys(client),
          },
        ];
      }
      if (publishedKeys.usableKeys > 0) return [];
      return [
        {
          id: 'client-keys-none',
          severity: 'warning',
          subject,
          reason: `The key set published at ${client.jwksUri} holds no public ES256, PS256 or Ed25519 key with a kid, so every assertion of the client is refused.`,
          fix: newKeys(client),
        },
      ];
    }
    if (usableClientKeys(client.jwks) > 0) return [];
    return [
      {
        id: 'client-keys-none',
        severity: 'warning',
        subject,
        reason:
          'The client authenticates with private_key_jwt but holds no public ES256, PS256 or Ed25519 key with a kid, so every assertion it sends is refused.',
        fix: newKeys(client),
      },
    ];
  });
}
