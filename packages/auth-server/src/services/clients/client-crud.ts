import type {
  ClientFields,
  ClientRecord,
  ClientsRepository,
  NamePageQuery,
  NewAuditEvent,
  NewClient,
  RegisteredVia,
  RegistrationAccessChange,
  ResourcesRepository,
} from '@portcullis/storage';
import { AuthServerError } from '../../errors.ts';
import { generateClientSecret, hashClientSecret } from '../../secrets/client-secret.ts';
import type { ChangeOptions } from '../change-options.ts';
import { fromStorage } from '../from-storage.ts';
import { newId } from '../new-id.ts';
import { clientEvent, clientLookup } from './client-lookup.ts';
import { newSecretName, type SecretSummary, secretSummary } from './client-secrets.ts';
import { type TtlInput, validateClientDraft } from './client-validation.ts';

/**
 * The public name of each client field: the key `clients show --json` prints it under, also used
 * by `update` to say what changed and by the audit trail.
 */
export const CLIENT_FIELD_NAMES: Readonly<Record<keyof ClientFields, string>> = {
  name: 'name',
  grantTypes: 'grant_types',
  redirectUris: 'redirect_uris',
  webOrigins: 'web_origins',
  dpopBoundAccessTokens: 'dpop_bound_access_tokens',
  requirePushedAuthorizationRequests: 'require_pushed_authorization_requests',
  requireMfa: 'require_mfa',
  backchannelLogoutUri: 'backchannel_logout_uri',
  backchannelLogoutSessionRequired: 'backchannel_logout_session_required',
  scopes: 'scope',
  resources: 'resources',
  mayExchangeFor: 'may_exchange_for',
  isPublic: 'public',
  tokenEndpointAuthMethod: 'token_endpoint_auth_method',
  jwks: 'jwks',
  jwksUri: 'jwks_uri',
  firstParty: 'first_party',
  clientUri: 'homepage',
  logoUri: 'logo_uri',
  accessTokenTtl: 'access_token_ttl',
  refreshTokenTtl: 'refresh_token_ttl',
};

/** What the operator asks for in `clients create`. */
export interface CreateClientInput {
  name: string;
  grants: readonly string[];
  redirectUris?: readonly string[];
  /** Origins a browser app calls the token endpoint from (CORS); public browser clients only. */
  webOrigins?: readonly string[];
  /** Whether its access tokens must be bound to a DPoP key (RFC 9449). */
  dpopBoundAccessTokens?: boolean;
  /** Whether its authorization requests must be pushed first (RFC 9126). */
  requirePushedAuthorizationRequests?: boolean;
  /** Whether its users must pass a second factor to sign in to it. */
  requireMfa?: boolean;
  /** Where it receives OIDC Back-Channel Logout tokens: https (http on loopback). */
  backchannelLogoutUri?: string;
  /** Whether its logout tokens must carry the session id (`sid`); needs the URI. */
  backchannelLogoutSessionRequired?: boolean;
  scopes?: readonly string[];
  resources?: readonly string[];
  /** Resources it may exchange a user's access token for (RFC 8693); operators only. */
  mayExchangeFor?: readonly string[];
  public?: boolean;
  /** `client_secret_basic` (the default: a secret) or `private_key_jwt` (keys, no secret). */
  authMethod?: string;
  /** A `private_key_jwt` client's public keys (a JWK Set); or `jwksUri`. */
  jwks?: unknown;
  /** Where a `private_key_jwt` client publishes its public keys; or `jwks`. */
  jwksUri?: string | null;
  firstParty?: boolean;
  /** Homepage shown on the consent page: https (http on loopback). */
  homepage?: string;
  /** Logo shown on the consent page: https (http on loopback). */
  logoUri?: string;
  /** The client's own access-token lifetime; unset: its resource's. */
  accessTokenTtl?: TtlInput;
  /** The client's own refresh-token lifetime; unset: 14 days. */
  refreshTokenTtl?: TtlInput;
}

/**
 * What `clients update` changes: each given field replaces the stored one (lists included);
 * `null` clears an optional field (homepage, logo, lifetimes) or empties a list.
 */
export interface UpdateClientInput {
  name?: string;
  grants?: readonly string[];
  redirectUris?: readonly string[] | null;
  webOrigins?: readonly string[] | null;
  dpopBoundAccessTokens?: boolean;
  requirePushedAuthorizationRequests?: boolean;
  requireMfa?: boolean;
  /** `null` removes it (and the `sid` requirement with it, unless that is given too). */
  backchannelLogoutUri?: string | null;
  backchannelLogoutSessionRequired?: boolean;
  scopes?: readonly string[] | null;
  resources?: readonly string[] | null;
  /** Replaces the resources it may exchange tokens for (RFC 8693); `null`: none. */
  mayExchangeFor?: readonly string[] | null;
  public?: boolean;
  authMethod?: string;
  /** New keys (a roll): replaces the key set or JWKS URI the client had. */
  jwks?: unknown;
  /** A new JWKS URI: replaces the key set or JWKS URI the client had. */
  jwksUri?: string | null;
  firstParty?: boolean;
  homepage?: string | null;
  logoUri?: string | null;
  accessTokenTtl?: TtlInput | null;
  refreshTokenTtl?: TtlInput | null;
}

/**
 * How a dynamic registration (RFC 7591/7592) reaches a write: the initial access token it uses
 * up and the new registration access token's digest (create), or the registration access token
 * to rotate (update); the address of the request, for the audit trail.
 */
export interface DynamicRegistrationWrite {
  registration?: NewClient['registration'];
  registrationAccess?: RegistrationAccessChange;
  address?: string;
}

/** A new client and, for confidential clients, its secret: the only time it is ever shown. */
export interface CreatedClient {
  client: ClientRecord;
  clientSecret?: string;
}

/** An updated client, the names of the fields that changed, and a secret when it turned confidential. */
export interface UpdatedClient {
  client: ClientRecord;
  changed: Array<keyof ClientFields>;
  clientSecret?: string;
}

/**
 * The clients service's registration operations: create, update, disable, enable, list, show
 * and delete. Create and update share one validation ({@link validateClientDraft}), which runs
 * before any write; each write is one transaction together with its audit events.
 *
 * @example
 * const { create } = clientCrudOperations(createClientsRepository(db), createResourcesRepository(db));
 * const { client } = await create({ name: 'billing', grants: ['client_credentials'] });
 */
export function clientCrudOperations(clients: ClientsRepository, resources: ResourcesRepository) {
  const { mustFind } = clientLookup(clients);

  return {
    /**
     * Registers a client; a confidential one gets its first secret, named `initial`. `dynamic`
     * is a dynamic registration's part (services/registration/).
     */
    async create(
      input: CreateClientInput,
      options: ChangeOptions = {},
      dynamic: DynamicRegistrationWrite = {},
    ): Promise<CreatedClient> {
      const fields = await validateClientDraft(
        {
          name: input.name,
          grants: input.grants,
          redirectUris: input.redirectUris ?? [],
          webOrigins: input.webOrigins ?? [],
          dpopBoundAccessTokens: input.dpopBoundAccessTokens ?? false,
          requirePushedAuthorizationRequests: input.requirePushedAuthorizationRequests ?? false,
          requireMfa: input.requireMfa ?? false,
          backchannelLogoutUri: input.backchannelLogoutUri ?? null,
          backchannelLogoutSessionRequired: input.backchannelLogoutSessionRequired ?? false,
          scopes: input.scopes ?? [],
          resources: input.resources ?? [],
          mayExchangeFor: input.mayExchangeFor ?? [],
          registeredVia: dynamic.registration ? 'dynamic' : 'operator',
          public: input.public ?? false,
          authMethod: input.authMethod,
          jwks: input.jwks ?? null,
          jwksUri: input.jwksUri ?? null,
          firstParty: input.firstParty ?? false,
          homepage: input.homepage ?? null,
          logoUri: input.logoUri ?? null,
          accessTokenTtl: input.accessTokenTtl ?? null,
          refreshTokenTtl: input.refreshTokenTtl ?? null,
        },
        resources,
      );
      const id = newId();
      const clientSecret = usesSecret(fields) ? generateClientSecret() : undefined;
      const { registration } = dynamic;
      const audit = [
        clientEvent('client.created', { id }, options, {
          name: fields.name,
          ...(registration
            ? { registered_via: 'dynamic', registration_token: registration.tokenId }
            : {}),
        }),
      ];
      if (clientSecret)
        audit.push(clientEvent('client.secret_added', { id }, options, { secret: 'initial' }));
      try {
        const client = await clients.create(
          {
            id,
            ...fields,
            ...(clientSecret
              ? { secret: { name: 'initial', secretHash: hashClientSecret(clientSecret) } }
              : {}),
            ...(registration ? { registration } : {}),
          },
          { audit: withAddress(audit, dynamic.address) },
        );
        return clientSecret ? { client, clientSecret } : { client };
      } catch (error) {
        // A conflict here is the name, taken by another in any case.
        throw fromStorage(error, { field: 'name' });
      }
    },

    /**
     * Changes the given fields, validated exactly as `create` validates, on the client as it
     * will be. A client turned public or to `private_key_jwt` loses its secrets; one turned to a
     * secret gets a new one (returned, shown once). New keys (`jwks`, `jwksUri`) replace the old
     * ones at once: the roll is the client's to stage, by listing old and new keys in the set
     * until it signs with the new one. Changing nothing is not an error: `changed` is empty.
     */
    async update(
      idOrName: string,
      input: UpdateClientInput,
      options: ChangeOptions = {},
      dynamic: DynamicRegistrationWrite = {},
    ): Promise<UpdatedClient> {
      const current = await mustFind(idOrName);
      const fields = await validateClientDraft(
        {
          name: input.name ?? current.name,
          grants: input.grants ?? current.grantTypes,
          redirectUris: pick(input.redirectUris, current.redirectUris),
          webOrigins: pick(input.webOrigins, current.webOrigins),
          dpopBoundAccessTokens: input.dpopBoundAccessTokens ?? current.dpopBoundAccessTokens,
          requirePushedAuthorizationRequests:
            input.requirePushedAuthorizationRequests ?? current.requirePushedAuthorizationRequests,
          requireMfa: input.requireMfa ?? current.requireMfa,
          backchannelLogoutUri:
            input.backchannelLogoutUri === undefined
              ? current.backchannelLogoutUri
              : input.backchannelLogoutUri,
          // Removing the URI removes what only applies to it.
          backchannelLogoutSessionRequired:
            input.backchannelLogoutSessionRequired ??
            (input.backchannelLogoutUri === null
              ? false
              : current.backchannelLogoutSessionRequired),
          scopes: pick(input.scopes, current.scopes),
          resources: pick(input.resources, current.resources),
          mayExchangeFor: pick(input.mayExchangeFor, current.mayExchangeFor),
          registeredVia: current.registeredVia,
          public: input.public ?? current.isPublic,
          ...updatedCredentials(current, input),
          firstParty: input.firstParty ?? current.firstParty,
          homepage: input.homepage === undefined ? current.clientUri : input.homepage,
          logoUri: input.logoUri === undefined ? current.logoUri : input.logoUri,
          accessTokenTtl:
            input.accessTokenTtl === undefined ? current.accessTokenTtl : input.accessTokenTtl,
          refreshTokenTtl:
            input.refreshTokenTtl === undefined ? current.refreshTokenTtl : input.refreshTokenTtl,
        },
        resources,
      );
      const changed = (Object.keys(fields) as Array<keyof ClientFields>).filter(
        (key) => JSON.stringify(fields[key]) !== JSON.stringify(current[key]),
      );
      // A registration access token is rotated by every update, even one that changes nothing.
      const { registrationAccess } = dynamic;
      if (changed.length === 0 && !registrationAccess) return { client: current, changed };

      // A client that now needs a secret and had none gets one; one that no longer needs any
      // (turned public, or to private_key_jwt) loses them.
      const clientSecret =
        usesSecret(fields) && !usesSecret(current) ? generateClientSecret() : undefined;
      const secretName = await newSecretName(clients, current.id);
      const audit = [
        clientEvent('client.updated', current, options, {
          changed: changed.map((key) => CLIENT_FIELD_NAMES[key]),
        }),
      ];
      if (clientSecret)
        audit.push(clientEvent('client.secret_added', current, options, { secret: secretName }));
      try {
        const client = await clients.update(current.id, changedFields(fields, changed), {
          audit: withAddress(audit, dynamic.address),
          removeSecrets: usesSecret(current) && !usesSecret(fields),
          ...(registrationAccess ? { registrationAccess } : {}),
          ...(clientSecret
            ? { addSecret: { name: secretName, secretHash: hashClientSecret(clientSecret) } }
            : {}),
        });
        if (!client)
          throw new AuthServerError('not_found', `no client with id or name "${idOrName}"`);
        return clientSecret ? { client, changed, clientSecret } : { client, changed };
      } catch (error) {
        // A conflict here is the name, taken by another in any case.
        throw fromStorage(error, { field: 'name' });
      }
    },

    /**
     * Disables the client: servers refuse its authentication, token, refresh and introspection
     * requests within a second. Its grants and tokens stay stored for `enable`.
     */
    async disable(idOrName: string, options: ChangeOptions = {}): Promise<ClientRecord> {
      const current = await mustFind(idOrName);
      const audit = current.disabledAt ? [] : [clientEvent('client.disabled', current, options)];
      return (await clients.setDisabled(current.id, true, { audit })) ?? current;
    },

    /** Enables a disabled client again. */
    async enable(idOrName: string, options: ChangeOptions = {}): Promise<ClientRecord> {
      const current = await mustFind(idOrName);
      const audit = current.disabledAt ? [clientEvent('client.enabled', current, options)] : [];
      return (await clients.setDisabled(current.id, false, { audit })) ?? current;
    },

    list: () => clients.list(),

    /** A page of clients by name, then id, read by the database (the admin API's list). */
    listPage: (page: NamePageQuery & { registeredVia?: RegisteredVia }) => clients.listPage(page),

    /**
     * Locks the client (by id or name) until the transaction the service runs in ends, and
     * returns its id: a change that checks what the caller read first (the admin API's
     * `If-Match`) locks, then reads, then writes, so two such changes never interleave.
     * `not_found` for an unknown client.
     */
    async lockForChange(idOrName: string): Promise<string> {
      const client = await mustFind(idOrName);
      if (!(await clients.lockForChange(client.id))) {
        throw new AuthServerError('not_found', `no client with id or name "${idOrName}"`);
      }
      return client.id;
    },

    /** The client and a summary of its secrets (newest first). */
    async show(idOrName: string): Promise<{ client: ClientRecord; secrets: SecretSummary[] }> {
      const client = await mustFind(idOrName);
      return { client, secrets: (await clients.secrets(client.id)).map(secretSummary) };
    },

    /** Deletes the client with its secrets and every token and grant issued to it. */
    async delete(
      idOrName: string,
      options: ChangeOptions = {},
      dynamic: Pick<DynamicRegistrationWrite, 'address'> = {},
    ): Promise<ClientRecord> {
      const client = await mustFind(idOrName);
      await clients.delete(client.id, {
        audit: (revoked) =>
          withAddress(
            [
              clientEvent('client.deleted', client, options, {
                name: client.name,
                revoked_artifacts: revoked,
              }),
            ],
            dynamic.address,
          ),
      });
      return client;
    },
  };
}

// Events of a change made over HTTP carry the request's address.
function withAddress(events: NewAuditEvent[], address: string | undefined): NewAuditEvent[] {
  return address === undefined ? events : events.map((event) => ({ ...event, address }));
}

// Whether the client authenticates with a secret.
const usesSecret = (client: Pick<ClientFields, 'tokenEndpointAuthMethod'>) =>
  client.tokenEndpointAuthMethod === 'client_secret_basic';

// The authentication method and keys of the client as it will be: new keys replace the old set
// or URI (a roll); keys are kept while the client stays private_key_jwt and dropped when it
// turns public or to a secret.
function updatedCredentials(current: ClientRecord, input: UpdateClientInput) {
  const willBePublic = input.public ?? current.isPublic;
  const currentMethod = current.isPublic ? undefined : current.tokenEndpointAuthMethod;
  const authMethod = input.authMethod ?? (willBePublic ? undefined : currentMethod);
  if (input.jwks !== undefined || input.jwksUri !== undefined) {
    return { authMethod, jwks: input.jwks ?? null, jwksUri: input.jwksUri ?? null };
  }
  const keep = authMethod === 'private_key_jwt';
  return {
    authMethod,
    jwks: keep ? current.jwks : null,
    jwksUri: keep ? current.jwksUri : null,
  };
}

// An update's list: the new one, an empty one for null (cleared), or the current one.
function pick(value: readonly string[] | null | undefined, current: readonly string[]) {
  if (value === undefined) return current;
  return value ?? [];
}

function changedFields(
  fields: ClientFields,
  changed: Array<keyof ClientFields>,
): Partial<ClientFields> {
  return Object.fromEntries(changed.map((key) => [key, fields[key]])) as Partial<ClientFields>;
}
