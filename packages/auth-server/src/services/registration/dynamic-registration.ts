import {
  type ClientRecord,
  createClientsRepository,
  createRegistrationTokensRepository,
  createResourcesRepository,
  type Database,
} from '@portcullis/storage';
import {
  generateClientSecret,
  hashClientSecret,
  verifyClientSecret,
} from '../../secrets/client-secret.ts';
import { clientCrudOperations } from '../clients/client-crud.ts';
import { newId } from '../new-id.ts';
import { clientMetadata, metadataRefusal, readClientMetadata } from './client-metadata.ts';
import { RegistrationError } from './registration-error.ts';

// RFC 7592 §2.2: what the client must not send back in an update.
const SERVER_FIELDS = [
  'registration_access_token',
  'registration_client_uri',
  'client_secret_expires_at',
  'client_id_issued_at',
];

/** A client as the registration endpoint answers it, with the secrets it shows once. */
export interface RegisteredClient {
  client: ClientRecord;
  /** RFC 7591 client metadata, with `client_secret` when one was just made. */
  metadata: Record<string, unknown>;
  /** The registration access token to use next (new at registration and at each update). */
  registrationAccessToken: string;
}

/** Who asks: the request's address, for the audit trail. */
export interface RegistrationRequest {
  address: string;
}

/** Options of {@link createDynamicRegistration}. */
export interface DynamicRegistrationOptions {
  /**
   * Open registration (PORTCULLIS_REGISTRATION_OPEN_RESOURCES): the resources a client that
   * registers without an initial access token gets, with any scope they define. Empty: every
   * registration needs a token.
   */
  openResources?: readonly string[];
}

const badToken = (what: string) =>
  new RegistrationError(
    'invalid_token',
    `the ${what} is missing, unknown, expired, revoked or used up`,
  );

/**
 * Dynamic client registration (RFC 7591) and its management (RFC 7592) over the clients service:
 * a registration needs a live initial access token (`clients registration-token create`), is
 * validated exactly as `clients create` is, within the token's policy (readClientMetadata), and
 * uses up one of the token's uses in the same transaction as the client's insert, so racing
 * registrations cannot exceed it. The client gets a registration access token (256 bits, stored
 * as its SHA-256 digest) to read, update (the same validation; the token is rotated) and delete
 * itself. Audit events name the actor `registration_token:<id>` (registration) or `client:<id>`
 * (management) and the request's address.
 *
 * @example
 * const registration = createDynamicRegistration(db);
 * const { metadata, registrationAccessToken } = await registration.register(token, body, { address });
 */
export function createDynamicRegistration(db: Database, options: DynamicRegistrationOptions = {}) {
  const openResources = options.openResources ?? [];
  const clients = createClientsRepository(db);
  const tokens = createRegistrationTokensRepository(db);
  const crud = clientCrudOperations(clients, createResourcesRepository(db));

  // The client whose registration access token `presented` is; disabled clients manage nothing.
  const authenticate = async (clientId: string, presented: string | undefined) => {
    const stored = presented ? await clients.registrationAccessTokenHash(clientId) : undefined;
    if (!presented || !stored || !verifyClientSecret(presented, stored)) {
      throw badToken('registration access token');
    }
    const client = await clients.findById(clientId);
    if (!client || client.disabledAt) throw badToken('registration access token');
    return { client, storedHash: stored };
  };

  const answer = (client: ClientRecord, token: string, clientSecret?: string) => ({
    client,
    metadata: {
      ...clientMetadata(client),
      ...(clientSecret ? { client_secret: clientSecret } : {}),
    },
    registrationAccessToken: token,
  });

  return {
    /**
     * Registers a client with the initial access token `presented` (RFC 7591 §3), or without
     * one when registration is open: the open resources, any scope they define, and a name made
     * unique with a random suffix, so that nobody can take a name first (MCP clients send the
     * same `client_name` for every install) and the consent page shows which one asks.
     */
    async register(
      presented: string | undefined,
      body: unknown,
      request: RegistrationRequest,
    ): Promise<RegisteredClient> {
      const open = presented === undefined && openResources.length > 0;
      const token = presented
        ? await tokens.findLiveByHash(hashClientSecret(presented))
        : undefined;
      if (!token && !open) throw badToken('initial access token');
      const suffix = newId().slice(0, 8);
      // Names are unique: an unnamed client gets a random one.
      const unnamed = `dynamic client ${suffix}`;
      const read = readClientMetadata(
        body,
        token ?? { scopes: [], resources: openResources },
        unnamed,
      );
      const input =
        open && read.name !== unnamed
          ? { ...read, name: `${read.name.slice(0, 89)} (${suffix})` }
          : read;
      const accessToken = generateClientSecret();
      try {
        const { client, clientSecret } = await crud.create(
          input,
          { actor: token ? `registration_token:${token.id}` : 'anonymous' },
          {
            registration: {
              tokenId: token?.id ?? null,
              accessTokenHash: hashClientSecret(accessToken),
            },
            address: request.address,
          },
        );
        return answer(client, accessToken, clientSecret);
      } catch (error) {
        // The token's last use went to a concurrent registration, or it was revoked meanwhile.
        if ((error as { code?: unknown }).code === 'not_found') {
          throw badToken('initial access token');
        }
        throw metadataRefusal(error);
      }
    },

    /** The client's registration (RFC 7592 §2.1). */
    async read(clientId: string, presented: string | undefined): Promise<RegisteredClient> {
      const { client } = await authenticate(clientId, presented);
      return answer(client, presented as string);
    },

    /**
     * Replaces the client's metadata (RFC 7592 §2.2) under the same rules and policy as its
     * registration; what is left out returns to its default. Rotates the registration access
     * token: the one presented stops working.
     */
    async update(
      clientId: string,
      presented: string | undefined,
      body: unknown,
      request: RegistrationRequest,
    ): Promise<RegisteredClient> {
      const { client, storedHash } = await authenticate(clientId, presented);
      const metadata = (body ?? {}) as Record<string, unknown>;
      if (typeof body === 'object' && body !== null) {
        const sent = SERVER_FIELDS.find((field) => metadata[field] !== undefined);
        if (sent)
          throw new RegistrationError('invalid_request', `the update must not include ${sent}`);
        if (metadata.client_id !== client.id) {
          throw new RegistrationError('invalid_request', "client_id must be the client's own");
        }
        if (
          metadata.client_secret !== undefined &&
          !(await holdsSecret(client, metadata.client_secret))
        ) {
          throw new RegistrationError('invalid_request', "client_secret is not the client's");
        }
      }
      const registeredWith = client.registrationTokenId
        ? await tokens.findById(client.registrationTokenId)
        : undefined;
      const input = readClientMetadata(
        body,
        { scopes: registeredWith?.scopes ?? [], resources: client.resources },
        client.name,
      );
      const accessToken = generateClientSecret();
      try {
        const updated = await crud.update(
          client.id,
          {
            ...input,
            homepage: input.homepage ?? null,
            logoUri: input.logoUri ?? null,
          },
          { actor: `client:${client.id}` },
          {
            registrationAccess: {
              expectedHash: storedHash,
              nextHash: hashClientSecret(accessToken),
            },
            address: request.address,
          },
        );
        return answer(updated.client, accessToken, updated.clientSecret);
      } catch (error) {
        // Another update rotated the token first.
        if ((error as { code?: unknown }).code === 'not_found') {
          throw badToken('registration access token');
        }
        throw metadataRefusal(error);
      }
    },

    /**
     * Deletes the client (RFC 7592 §2.3) with its secrets, grants and tokens: its client_id,
     * secret and registration access token stop working at once.
     */
    async delete(
      clientId: string,
      presented: string | undefined,
      request: RegistrationRequest,
    ): Promise<void> {
      const { client } = await authenticate(clientId, presented);
      await crud.delete(client.id, { actor: `client:${client.id}` }, { address: request.address });
    },
  };

  async function holdsSecret(client: ClientRecord, presented: unknown): Promise<boolean> {
    if (typeof presented !== 'string') return false;
    const now = Date.now();
    return (await clients.secrets(client.id)).some(
      (secret) =>
        (secret.expiresAt === null || secret.expiresAt.getTime() > now) &&
        verifyClientSecret(presented, secret.secretHash),
    );
  }
}

/** The service {@link createDynamicRegistration} returns. */
export type DynamicRegistration = ReturnType<typeof createDynamicRegistration>;
