import type { ClientRecord, ClientsRepository, NewAuditEvent } from '@portcullis/storage';
import { AuthServerError } from '../../errors.ts';
import { actorOf, type ChangeOptions } from '../change-options.ts';
import { invalidInput } from '../validation.ts';

/**
 * The lookups every client operation starts with: by id or name, `not_found` when there is no
 * such client, and `invalid_input` for a client with no secret (public, or `private_key_jwt`) where a
 * secret is needed.
 *
 * @example
 * const { mustFind } = clientLookup(createClientsRepository(db));
 * const client = await mustFind('billing');
 */
export function clientLookup(clients: ClientsRepository) {
  const mustFind = async (idOrName: string): Promise<ClientRecord> => {
    const found = await clients.findByIdOrName(idOrName);
    if (!found) throw new AuthServerError('not_found', `no client with id or name "${idOrName}"`);
    return found;
  };

  const mustFindConfidential = async (idOrName: string): Promise<ClientRecord> => {
    const found = await mustFind(idOrName);
    if (found.isPublic) invalidInput(`client "${found.name}" is public: it has no secret`);
    if (found.tokenEndpointAuthMethod === 'private_key_jwt') {
      invalidInput(
        `client "${found.name}" authenticates with private_key_jwt: it has keys, no secret (roll them with \`clients update\`)`,
      );
    }
    return found;
  };

  return { mustFind, mustFindConfidential };
}

/**
 * One audit event about a client, by the change's actor (`system` when not said).
 *
 * @example
 * clientEvent('client.disabled', client, { actor: 'cli:alice' });
 */
export const clientEvent = (
  type: NewAuditEvent['type'],
  client: { id: string },
  options: ChangeOptions,
  details?: Record<string, unknown>,
): NewAuditEvent => ({
  type,
  actor: actorOf(options),
  clientId: client.id,
  ...(details ? { details } : {}),
});
