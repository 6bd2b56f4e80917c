import {
  type ClientRecord,
  createClientsRepository,
  createResourcesRepository,
  type Database,
  type StorageError,
} from '@portcullis/storage';
import { AuthServerError } from '../errors.ts';
import { OIDC_SCOPES } from '../provider/resource-indicators.ts';
import { generateClientSecret, hashClientSecret } from '../secrets/client-secret.ts';
import { newId } from './new-id.ts';
import {
  invalidInput,
  splitScopes,
  validateName,
  validateRedirectUri,
  validateResourceIdentifier,
  validateWebUrl,
} from './validation.ts';

/** RFC 8628's grant type. */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** Grant types a client can be registered for (`device_code` stands for RFC 8628's URN). */
export const SUPPORTED_GRANTS = [
  'client_credentials',
  'authorization_code',
  'refresh_token',
  'device_code',
] as const;

/** What the operator asks for in `clients create`. */
export interface CreateClientInput {
  name: string;
  grants: readonly string[];
  redirectUris?: readonly string[];
  scopes?: readonly string[];
  resources?: readonly string[];
  public?: boolean;
  firstParty?: boolean;
  /** Homepage shown on the consent page: https (http on loopback). */
  homepage?: string;
  /** Logo shown on the consent page: https (http on loopback). */
  logoUri?: string;
}

/** A new client and, for confidential clients, its secret: the only time it is ever shown. */
export interface CreatedClient {
  client: ClientRecord;
  clientSecret?: string;
}

/** A client's secret as shown to operators: never its value or hash. */
export interface SecretSummary {
  id: string;
  name: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
}

/**
 * Client registration and lookup for the CLI. Validation happens before any write, and each
 * write is one transaction, so bad input never leaves a partial client behind.
 */
export function createClientsService(db: Database) {
  const clients = createClientsRepository(db);
  const resources = createResourcesRepository(db);

  const mustFind = async (idOrName: string): Promise<ClientRecord> => {
    const found = await clients.findByIdOrName(idOrName);
    if (!found) throw new AuthServerError('not_found', `no client with id or name "${idOrName}"`);
    return found;
  };

  return {
    async create(input: CreateClientInput): Promise<CreatedClient> {
      const name = validateName(input.name, 'client name');
      const grants = [
        ...new Set(input.grants.map((g) => (g === DEVICE_CODE_GRANT ? 'device_code' : g))),
      ];
      if (grants.length === 0) invalidInput('at least one --grant is required');
      for (const grant of grants) {
        if (!(SUPPORTED_GRANTS as readonly string[]).includes(grant)) {
          invalidInput(`unknown grant "${grant}" (supported: ${SUPPORTED_GRANTS.join(', ')})`);
        }
      }
      const isPublic = input.public ?? false;
      if (isPublic && grants.includes('client_credentials')) {
        invalidInput('a public client cannot use client_credentials: it has no secret');
      }
      if (
        grants.includes('refresh_token') &&
        !grants.includes('authorization_code') &&
        !grants.includes('device_code')
      ) {
        invalidInput('refresh_token needs the authorization_code or device_code grant');
      }
      const redirectUris = [...new Set(input.redirectUris ?? [])].map(validateRedirectUri);
      if (grants.includes('authorization_code') && redirectUris.length === 0) {
        invalidInput('authorization_code needs at least one --redirect-uri');
      }
      if (!grants.includes('authorization_code') && redirectUris.length > 0) {
        invalidInput('--redirect-uri is only for clients with the authorization_code grant');
      }
      const resourceIds = [...new Set(input.resources ?? [])].map(validateResourceIdentifier);
      const scopes = splitScopes(input.scopes ?? []);
      await checkScopes(scopes, resourceIds);

      const clientUri =
        input.homepage === undefined ? null : validateWebUrl(input.homepage, 'homepage');
      const logoUri =
        input.logoUri === undefined ? null : validateWebUrl(input.logoUri, 'logo URI');
      const clientSecret = isPublic ? undefined : generateClientSecret();
      try {
        const client = await clients.create({
          id: newId(),
          name,
          grantTypes: grants.map((g) => (g === 'device_code' ? DEVICE_CODE_GRANT : g)),
          redirectUris,
          scopes,
          resources: resourceIds,
          isPublic,
          firstParty: input.firstParty ?? false,
          clientUri,
          logoUri,
          ...(clientSecret
            ? { secret: { name: 'initial', secretHash: hashClientSecret(clientSecret) } }
            : {}),
        });
        return clientSecret ? { client, clientSecret } : { client };
      } catch (error) {
        throw fromStorage(error);
      }
    },

    list: () => clients.list(),

    /** The client and a summary of its secrets. */
    async show(idOrName: string): Promise<{ client: ClientRecord; secrets: SecretSummary[] }> {
      const client = await mustFind(idOrName);
      const secrets = (await clients.secrets(client.id)).map(
        ({ secretHash: _, clientId: __, ...s }) => s,
      );
      return { client, secrets };
    },

    /** Deletes the client with its secrets and every token and grant issued to it. */
    async delete(idOrName: string): Promise<ClientRecord> {
      const client = await mustFind(idOrName);
      await clients.delete(client.id);
      return client;
    },
  };

  // Every scope must belong to one of the client's resources (or be an OpenID scope), so a typo
  // is caught at registration instead of surfacing later as a puzzling invalid_scope.
  async function checkScopes(scopes: string[], resourceIds: string[]): Promise<void> {
    const known = new Set(OIDC_SCOPES);
    for (const id of resourceIds) {
      const resource = await resources.find(id);
      if (!resource)
        invalidInput(`unknown resource "${id}": register it with \`portcullis resources create\``);
      for (const scope of resource.scopes) known.add(scope.name);
    }
    const unknown = scopes.filter((s) => !known.has(s));
    if (unknown.length > 0) {
      invalidInput(
        `scope ${unknown.map((s) => `"${s}"`).join(', ')} is not defined on the client's resources`,
      );
    }
  }
}

/** The service {@link createClientsService} returns. */
export type ClientsService = ReturnType<typeof createClientsService>;

/** Maps storage errors to the auth server's own codes. */
export function fromStorage(error: unknown): unknown {
  if (error instanceof Error && (error as StorageError).name === 'StorageError') {
    const { code, message } = error as StorageError;
    if (code === 'conflict') return new AuthServerError('conflict', message, { cause: error });
    if (code === 'invalid') return new AuthServerError('invalid_input', message, { cause: error });
    if (code === 'not_found') return new AuthServerError('not_found', message, { cause: error });
  }
  return error;
}
