import type { ClientRecord, ClientSecretRecord, ClientsRepository } from '@portcullis/storage';
import { AuthServerError } from '../../errors.ts';
import { generateClientSecret, hashClientSecret } from '../../secrets/client-secret.ts';
import type { ChangeOptions } from '../change-options.ts';
import { fromStorage } from '../from-storage.ts';
import { validateName } from '../validation.ts';
import { clientEvent, clientLookup } from './client-lookup.ts';
import { type TtlInput, validateClientTtl } from './client-validation.ts';

/** How long old secrets keep working after `rotate-secret` unless told otherwise: 24 hours. */
export const DEFAULT_SECRET_OVERLAP_SECONDS = 24 * 3600;

/** A client's secret as shown to operators: never its value or hash. */
export interface SecretSummary {
  id: string;
  name: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
}

/** The outcome of `rotate-secret`: the new secret (shown once) and the old ones now expiring. */
export interface RotatedSecret {
  client: ClientRecord;
  secret: SecretSummary;
  clientSecret: string;
  expiring: SecretSummary[];
}

/** One named secret of a confidential client, and what removing it would stop. */
export interface ClientSecretInfo {
  client: ClientRecord;
  secret: SecretSummary;
  /** Unexpired: the secret still authenticates the client. */
  live: boolean;
  /** The client's only unexpired secret: without it the client cannot authenticate. */
  lastLive: boolean;
}

/** The outcome of `remove-secret`: the client and the secret whose hash is gone. */
export interface RemovedSecret {
  client: ClientRecord;
  secret: SecretSummary;
}

/**
 * A secret as operators see it, from its stored record.
 *
 * @example
 * (await clients.secrets(client.id)).map(secretSummary);
 */
export const secretSummary = (secret: ClientSecretRecord): SecretSummary => ({
  id: secret.id,
  name: secret.name,
  createdAt: secret.createdAt,
  expiresAt: secret.expiresAt,
  lastUsedAt: secret.lastUsedAt,
});

/**
 * `secret-2`, `secret-3`, ...: the first name not taken among the client's secrets.
 *
 * @example
 * await newSecretName(clients, client.id); // 'secret-2' after 'initial'
 */
export async function newSecretName(clients: ClientsRepository, clientId: string): Promise<string> {
  const taken = new Set((await clients.secrets(clientId)).map((s) => s.name));
  let n = taken.size + 1;
  while (taken.has(`secret-${n}`)) n += 1;
  return `secret-${n}`;
}

/**
 * The clients service's secret operations: rotate, look up and remove a confidential client's
 * secrets, each write one transaction with its audit events.
 *
 * @example
 * const { rotateSecret } = clientSecretsOperations(createClientsRepository(db));
 * const { clientSecret } = await rotateSecret('billing', { keepOld: '1h' }, { actor: 'cli:alice' });
 */
export function clientSecretsOperations(clients: ClientsRepository) {
  const { mustFindConfidential } = clientLookup(clients);

  const noSecret = (client: ClientRecord, name: string) =>
    new AuthServerError('not_found', `client "${client.name}" has no secret named "${name}"`);

  return {
    /**
     * Adds a new secret (returned once, never stored in clear) and makes every other live
     * secret expire after `keepOld` [24h] (`0`: at once). Until then both work, so deployments
     * can switch over without downtime.
     */
    async rotateSecret(
      idOrName: string,
      input: { keepOld?: TtlInput; name?: string } = {},
      options: ChangeOptions = {},
    ): Promise<RotatedSecret> {
      const current = await mustFindConfidential(idOrName);
      const overlap =
        input.keepOld === undefined
          ? DEFAULT_SECRET_OVERLAP_SECONDS
          : (validateClientTtl(input.keepOld, 'keepOld', {
              min: 0,
              max: 365 * 86_400,
            }) as number);
      const name = validateName(
        input.name ?? (await newSecretName(clients, current.id)),
        'secret name',
      );
      const clientSecret = generateClientSecret();
      try {
        const { added, expired } = await clients.addSecret(
          current.id,
          { name, secretHash: hashClientSecret(clientSecret) },
          {
            expireOthersInSeconds: overlap,
            audit: (secret, expiring) => [
              clientEvent('client.secret_added', current, options, { secret: secret.name }),
              ...expiring.map((old) =>
                clientEvent('client.secret_expired', current, options, {
                  secret: old.name,
                  expires_at: old.expiresAt?.toISOString() ?? null,
                }),
              ),
            ],
          },
        );
        return {
          client: current,
          secret: secretSummary(added),
          clientSecret,
          expiring: expired.map(secretSummary),
        };
      } catch (error) {
        throw fromStorage(error);
      }
    },

    /**
     * The confidential client's secret named `name` (exactly, as `clients secrets` shows it),
     * whether it still works at `now`, and whether it is the last that does. `not_found` for an
     * unknown client or secret, `invalid_input` for a public client.
     */
    async secret(idOrName: string, name: string, now = new Date()): Promise<ClientSecretInfo> {
      const client = await mustFindConfidential(idOrName);
      const secrets = await clients.secrets(client.id);
      const found = secrets.find((s) => s.name === name);
      if (!found) throw noSecret(client, name);
      const isLive = (s: ClientSecretRecord) => s.expiresAt === null || s.expiresAt > now;
      const live = isLive(found);
      return {
        client,
        secret: secretSummary(found),
        live,
        lastLive: live && secrets.filter(isLive).length === 1,
      };
    },

    /**
     * Deletes the stored hash of one secret (by name; with `id`, only that very secret, as
     * {@link secret} returned it), with its `client.secret_removed` event, in one transaction;
     * running servers refuse it within a second. Errors as {@link secret}.
     */
    async removeSecret(
      idOrName: string,
      input: { name: string; id?: string },
      options: ChangeOptions = {},
    ): Promise<RemovedSecret> {
      const client = await mustFindConfidential(idOrName);
      const removed = await clients.removeSecret(client.id, input, {
        audit: (secret) => [
          clientEvent('client.secret_removed', client, options, { secret: secret.name }),
        ],
      });
      if (!removed) throw noSecret(client, input.name);
      return { client, secret: secretSummary(removed) };
    },
  };
}
