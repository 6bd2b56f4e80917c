import {
  type ClientFields,
  type ClientRecord,
  type ClientSecretRecord,
  createClientsRepository,
  createResourcesRepository,
  type Database,
  type NewAuditEvent,
  type StorageError,
} from '@portcullis/storage';
import { formatDuration, parseDuration } from '../config/duration.ts';
import { DEVICE_CODE_GRANT, SUPPORTED_GRANTS, shortGrant } from '../domain/grants.ts';
import { OIDC_SCOPES } from '../domain/oidc-scopes.ts';
import { AuthServerError } from '../errors.ts';
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

export { DEVICE_CODE_GRANT, SUPPORTED_GRANTS, shortGrant } from '../domain/grants.ts';

/** Bounds of a client's own token lifetimes, in seconds. */
export const CLIENT_TTL_LIMITS = {
  accessToken: { min: 1, max: 86_400 },
  refreshToken: { min: 60, max: 365 * 86_400 },
} as const;

/** How long old secrets keep working after `rotate-secret` unless told otherwise: 24 hours. */
export const DEFAULT_SECRET_OVERLAP_SECONDS = 24 * 3600;

/**
 * The public name of each client field: the key `clients show --json` prints it under, also used
 * by `update` to say what changed and by the audit trail.
 */
export const CLIENT_FIELD_NAMES: Readonly<Record<keyof ClientFields, string>> = {
  name: 'name',
  grantTypes: 'grant_types',
  redirectUris: 'redirect_uris',
  scopes: 'scope',
  resources: 'resources',
  isPublic: 'public',
  firstParty: 'first_party',
  clientUri: 'homepage',
  logoUri: 'logo_uri',
  accessTokenTtl: 'access_token_ttl',
  refreshTokenTtl: 'refresh_token_ttl',
};

/** A lifetime as the operator gives it: `600`, `10m`, `30d`, or a number of seconds. */
export type TtlInput = string | number;

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
  scopes?: readonly string[] | null;
  resources?: readonly string[] | null;
  public?: boolean;
  firstParty?: boolean;
  homepage?: string | null;
  logoUri?: string | null;
  accessTokenTtl?: TtlInput | null;
  refreshTokenTtl?: TtlInput | null;
}

/** Who made a change, for the audit trail (`cli:<user>`; `system` when not said). */
export interface ChangeOptions {
  actor?: string;
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

// Everything validation needs, in the operator's terms: one shape for create and for update (the
// stored client with the changes laid over it), so both check exactly the same rules.
interface ClientDraft {
  name: string;
  grants: readonly string[];
  redirectUris: readonly string[];
  scopes: readonly string[];
  resources: readonly string[];
  public: boolean;
  firstParty: boolean;
  homepage: string | null;
  logoUri: string | null;
  accessTokenTtl: TtlInput | null;
  refreshTokenTtl: TtlInput | null;
}

const summary = (secret: ClientSecretRecord): SecretSummary => ({
  id: secret.id,
  name: secret.name,
  createdAt: secret.createdAt,
  expiresAt: secret.expiresAt,
  lastUsedAt: secret.lastUsedAt,
});

/** Grants as stored (RFC 8628's URN) from the operator's short names. */
const storedGrant = (grant: string) => (grant === 'device_code' ? DEVICE_CODE_GRANT : grant);

/**
 * Client registration and administration for the CLI. Create and update share one validation
 * ({@link ClientDraft}), which runs before any write; each write is one transaction together with
 * its audit events, so bad input never leaves a partial change behind, and running servers see
 * the change within a second (LISTEN/NOTIFY).
 *
 * @example
 * const service = createClientsService(db);
 * const { client, clientSecret } = await service.create(
 *   { name: 'billing', grants: ['client_credentials'], resources: [api], accessTokenTtl: '5m' },
 *   { actor: 'cli:alice' },
 * );
 */
export function createClientsService(db: Database) {
  const clients = createClientsRepository(db);
  const resources = createResourcesRepository(db);

  const mustFind = async (idOrName: string): Promise<ClientRecord> => {
    const found = await clients.findByIdOrName(idOrName);
    if (!found) throw new AuthServerError('not_found', `no client with id or name "${idOrName}"`);
    return found;
  };

  const mustFindConfidential = async (idOrName: string): Promise<ClientRecord> => {
    const found = await mustFind(idOrName);
    if (found.isPublic) invalidInput(`client "${found.name}" is public: it has no secret`);
    return found;
  };

  const noSecret = (client: ClientRecord, name: string) =>
    new AuthServerError('not_found', `client "${client.name}" has no secret named "${name}"`);

  const event = (
    type: NewAuditEvent['type'],
    client: { id: string },
    options: ChangeOptions,
    details?: Record<string, unknown>,
  ): NewAuditEvent => ({
    type,
    actor: options.actor ?? 'system',
    clientId: client.id,
    ...(details ? { details } : {}),
  });

  // `secret-2`, `secret-3`, ...: the first name not taken among the client's secrets.
  const newSecretName = async (clientId: string): Promise<string> => {
    const taken = new Set((await clients.secrets(clientId)).map((s) => s.name));
    let n = taken.size + 1;
    while (taken.has(`secret-${n}`)) n += 1;
    return `secret-${n}`;
  };

  // Every rule a client must satisfy, whichever command set it.
  async function validate(draft: ClientDraft): Promise<ClientFields> {
    const name = validateName(draft.name, 'client name');
    const grants = [...new Set(draft.grants.map(shortGrant))];
    if (grants.length === 0) invalidInput('at least one --grant is required');
    for (const grant of grants) {
      if (!(SUPPORTED_GRANTS as readonly string[]).includes(grant)) {
        invalidInput(`unknown grant "${grant}" (supported: ${SUPPORTED_GRANTS.join(', ')})`);
      }
    }
    if (draft.public && grants.includes('client_credentials')) {
      invalidInput('a public client cannot use client_credentials: it has no secret');
    }
    if (
      grants.includes('refresh_token') &&
      !grants.includes('authorization_code') &&
      !grants.includes('device_code')
    ) {
      invalidInput('refresh_token needs the authorization_code or device_code grant');
    }
    const redirectUris = [...new Set(draft.redirectUris)].map(validateRedirectUri);
    if (grants.includes('authorization_code') && redirectUris.length === 0) {
      invalidInput('authorization_code needs at least one --redirect-uri');
    }
    if (!grants.includes('authorization_code') && redirectUris.length > 0) {
      invalidInput('--redirect-uri is only for clients with the authorization_code grant');
    }
    const resourceIds = [...new Set(draft.resources)].map(validateResourceIdentifier);
    const scopes = splitScopes(draft.scopes);
    await checkScopes(scopes, resourceIds);
    const accessTokenTtl = ttl(
      draft.accessTokenTtl,
      '--access-token-ttl',
      CLIENT_TTL_LIMITS.accessToken,
    );
    const refreshTokenTtl = ttl(
      draft.refreshTokenTtl,
      '--refresh-token-ttl',
      CLIENT_TTL_LIMITS.refreshToken,
    );
    if (refreshTokenTtl !== null && !grants.includes('refresh_token')) {
      invalidInput('--refresh-token-ttl is only for clients with the refresh_token grant');
    }
    return {
      name,
      grantTypes: grants.map(storedGrant),
      redirectUris,
      scopes,
      resources: resourceIds,
      isPublic: draft.public,
      firstParty: draft.firstParty,
      clientUri: draft.homepage === null ? null : validateWebUrl(draft.homepage, 'homepage'),
      logoUri: draft.logoUri === null ? null : validateWebUrl(draft.logoUri, 'logo URI'),
      accessTokenTtl,
      refreshTokenTtl,
    };
  }

  return {
    /** Registers a client; a confidential one gets its first secret, named `initial`. */
    async create(input: CreateClientInput, options: ChangeOptions = {}): Promise<CreatedClient> {
      const fields = await validate({
        name: input.name,
        grants: input.grants,
        redirectUris: input.redirectUris ?? [],
        scopes: input.scopes ?? [],
        resources: input.resources ?? [],
        public: input.public ?? false,
        firstParty: input.firstParty ?? false,
        homepage: input.homepage ?? null,
        logoUri: input.logoUri ?? null,
        accessTokenTtl: input.accessTokenTtl ?? null,
        refreshTokenTtl: input.refreshTokenTtl ?? null,
      });
      const id = newId();
      const clientSecret = fields.isPublic ? undefined : generateClientSecret();
      const audit = [event('client.created', { id }, options, { name: fields.name })];
      if (clientSecret)
        audit.push(event('client.secret_added', { id }, options, { secret: 'initial' }));
      try {
        const client = await clients.create(
          {
            id,
            ...fields,
            ...(clientSecret
              ? { secret: { name: 'initial', secretHash: hashClientSecret(clientSecret) } }
              : {}),
          },
          { audit },
        );
        return clientSecret ? { client, clientSecret } : { client };
      } catch (error) {
        throw fromStorage(error);
      }
    },

    /**
     * Changes the given fields, validated exactly as `create` validates, on the client as it
     * will be. A client turned public loses its secrets; one turned confidential gets a new
     * secret (returned, shown once). Changing nothing is not an error: `changed` is empty.
     */
    async update(
      idOrName: string,
      input: UpdateClientInput,
      options: ChangeOptions = {},
    ): Promise<UpdatedClient> {
      const current = await mustFind(idOrName);
      const fields = await validate({
        name: input.name ?? current.name,
        grants: input.grants ?? current.grantTypes,
        redirectUris: pick(input.redirectUris, current.redirectUris),
        scopes: pick(input.scopes, current.scopes),
        resources: pick(input.resources, current.resources),
        public: input.public ?? current.isPublic,
        firstParty: input.firstParty ?? current.firstParty,
        homepage: input.homepage === undefined ? current.clientUri : input.homepage,
        logoUri: input.logoUri === undefined ? current.logoUri : input.logoUri,
        accessTokenTtl:
          input.accessTokenTtl === undefined ? current.accessTokenTtl : input.accessTokenTtl,
        refreshTokenTtl:
          input.refreshTokenTtl === undefined ? current.refreshTokenTtl : input.refreshTokenTtl,
      });
      const changed = (Object.keys(fields) as Array<keyof ClientFields>).filter(
        (key) => JSON.stringify(fields[key]) !== JSON.stringify(current[key]),
      );
      if (changed.length === 0) return { client: current, changed };

      const turnedConfidential = current.isPublic && !fields.isPublic;
      const clientSecret = turnedConfidential ? generateClientSecret() : undefined;
      const secretName = await newSecretName(current.id);
      const audit = [
        event('client.updated', current, options, {
          changed: changed.map((key) => CLIENT_FIELD_NAMES[key]),
        }),
      ];
      if (clientSecret)
        audit.push(event('client.secret_added', current, options, { secret: secretName }));
      try {
        const client = await clients.update(current.id, changedFields(fields, changed), {
          audit,
          removeSecrets: !current.isPublic && fields.isPublic,
          ...(clientSecret
            ? { addSecret: { name: secretName, secretHash: hashClientSecret(clientSecret) } }
            : {}),
        });
        if (!client)
          throw new AuthServerError('not_found', `no client with id or name "${idOrName}"`);
        return clientSecret ? { client, changed, clientSecret } : { client, changed };
      } catch (error) {
        throw fromStorage(error);
      }
    },

    /**
     * Disables the client: servers refuse its authentication, token, refresh and introspection
     * requests within a second. Its grants and tokens stay stored for `enable`.
     */
    async disable(idOrName: string, options: ChangeOptions = {}): Promise<ClientRecord> {
      const current = await mustFind(idOrName);
      const audit = current.disabledAt ? [] : [event('client.disabled', current, options)];
      return (await clients.setDisabled(current.id, true, { audit })) ?? current;
    },

    /** Enables a disabled client again. */
    async enable(idOrName: string, options: ChangeOptions = {}): Promise<ClientRecord> {
      const current = await mustFind(idOrName);
      const audit = current.disabledAt ? [event('client.enabled', current, options)] : [];
      return (await clients.setDisabled(current.id, false, { audit })) ?? current;
    },

    list: () => clients.list(),

    /** The client and a summary of its secrets (newest first). */
    async show(idOrName: string): Promise<{ client: ClientRecord; secrets: SecretSummary[] }> {
      const client = await mustFind(idOrName);
      return { client, secrets: (await clients.secrets(client.id)).map(summary) };
    },

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
          : (ttl(input.keepOld, '--keep-old', { min: 0, max: 365 * 86_400 }) as number);
      const name = validateName(input.name ?? (await newSecretName(current.id)), 'secret name');
      const clientSecret = generateClientSecret();
      try {
        const { added, expired } = await clients.addSecret(
          current.id,
          { name, secretHash: hashClientSecret(clientSecret) },
          {
            expireOthersInSeconds: overlap,
            audit: (secret, expiring) => [
              event('client.secret_added', current, options, { secret: secret.name }),
              ...expiring.map((old) =>
                event('client.secret_expired', current, options, {
                  secret: old.name,
                  expires_at: old.expiresAt?.toISOString() ?? null,
                }),
              ),
            ],
          },
        );
        return {
          client: current,
          secret: summary(added),
          clientSecret,
          expiring: expired.map(summary),
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
        secret: summary(found),
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
          event('client.secret_removed', client, options, { secret: secret.name }),
        ],
      });
      if (!removed) throw noSecret(client, input.name);
      return { client, secret: summary(removed) };
    },

    /** Deletes the client with its secrets and every token and grant issued to it. */
    async delete(idOrName: string, options: ChangeOptions = {}): Promise<ClientRecord> {
      const client = await mustFind(idOrName);
      await clients.delete(client.id, {
        audit: (revoked) => [
          event('client.deleted', client, options, {
            name: client.name,
            revoked_artifacts: revoked,
          }),
        ],
      });
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

// A lifetime in seconds from `600`, `10m`, `30d` or a number; null stays null (not set).
function ttl(
  value: TtlInput | null,
  option: string,
  limits: { min: number; max: number },
): number | null {
  if (value === null) return null;
  const seconds =
    typeof value === 'number'
      ? Number.isInteger(value)
        ? value
        : undefined
      : parseDuration(value);
  if (seconds === undefined) {
    invalidInput(
      `${option} "${value}" is not a duration: use seconds or a number with s, m, h or d (10m, 30d)`,
    );
  }
  if (seconds < limits.min || seconds > limits.max) {
    invalidInput(
      `${option} must be from ${formatDuration(limits.min)} to ${formatDuration(limits.max)}`,
    );
  }
  return seconds;
}

/** The check of `--access-token-ttl`/`--refresh-token-ttl`, for callers that check ahead (`apply`). */
export const validateClientTtl = ttl;

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
