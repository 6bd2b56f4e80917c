import {
  createClientsRepository,
  createResourcesRepository,
  type Database,
  type DeletedResource,
  type NamePageQuery,
  type NewAuditEvent,
  type ResourceChanges,
  type ResourceRecord,
  type ScopeRecord,
} from '@portcullis/storage';
import { parseDuration } from '../domain/duration.ts';
import { DEFAULT_ACCESS_TOKEN_TTL } from '../domain/lifetimes.ts';
import { OIDC_SCOPES } from '../domain/oidc-scopes.ts';
import { AuthServerError } from '../errors.ts';
import { fromStorage } from './clients-service.ts';
import {
  aboutField,
  invalidField,
  invalidInput,
  validateName,
  validateResourceIdentifier,
  validateScopeName,
} from './validation.ts';

/** Access-token formats a resource can choose: RFC 9068 JWTs, or opaque (stored, revocable). */
export const ACCESS_TOKEN_FORMATS = ['jwt', 'opaque'] as const;

/** A lifetime: whole seconds, or a duration such as `15m`. */
type Lifetime = number | string;

/** What a resource gets when `resources create` (or a declaration) does not say. */
export const RESOURCE_DEFAULTS = {
  /** 10 minutes: a JWT cannot be recalled, so keep it short. */
  accessTokenTtl: DEFAULT_ACCESS_TOKEN_TTL,
  accessTokenFormat: 'jwt',
} as const;

/** What the operator asks for in `resources create`. */
export interface CreateResourceInput {
  identifier: string;
  name: string;
  scopes: readonly ScopeRecord[];
  /** Access-token lifetime [{@link RESOURCE_DEFAULTS}]. At most 1 day. */
  accessTokenTtl?: Lifetime;
  /** Access-token format [{@link RESOURCE_DEFAULTS}]. */
  accessTokenFormat?: string;
  /** Client ids (the API's own) that may introspect tokens for this resource. */
  introspectionClients?: readonly string[];
  /** Names of `scopes` a user gets only through a role [none]. */
  roleGatedScopes?: readonly string[];
  /** Whether users' access tokens carry a `roles` claim [false]. */
  rolesClaim?: boolean;
}

/** What `resources update` changes; anything undefined stays as it is. */
export interface UpdateResourceInput {
  name?: string;
  accessTokenTtl?: Lifetime;
  accessTokenFormat?: string;
  /** Replaces the list; an empty list leaves only the tokens' own clients introspecting. */
  introspectionClients?: readonly string[];
  /** Scopes to add, or whose description to replace. */
  putScopes?: readonly ScopeRecord[];
  /** Scope names to delete. */
  removeScopes?: readonly string[];
  /** Scope names a user gets only through a role. */
  gateScopes?: readonly string[];
  /** Scope names to take out of role gating. */
  ungateScopes?: readonly string[];
  /** Whether access tokens for users carry a `roles` claim. */
  rolesClaim?: boolean;
}

/** Who made a change, for the audit trail (`cli:<user>`; `system` when not said). */
export interface ResourceChangeOptions {
  actor?: string;
}

/**
 * Parses `name=description` (the CLI's `--scope` form); the description is what consent pages
 * show, so it is required.
 */
export function parseScopeDefinition(value: string): ScopeRecord {
  const at = value.indexOf('=');
  if (at <= 0) invalidField('scopes', `"${value}" must be name=description`, { value });
  if (!value.slice(at + 1).trim()) {
    invalidField('scopes', `"${value}" needs a description after =`, { value });
  }
  const description = validateScopeDescription(value.slice(0, at), value.slice(at + 1));
  return { name: validateScopeName(value.slice(0, at)), description };
}

/**
 * A scope's description, what consent pages show: trimmed, 1 to 300 characters.
 *
 * @example
 * validateScopeDescription('notes:read', ' Read your notes '); // 'Read your notes'
 */
export function validateScopeDescription(
  name: string,
  value: string,
  subject: { field: string; index?: number } = { field: 'scopes' },
): string {
  const description = value.trim();
  if (!description) invalidInput(`scope "${name}" needs a description`, subject);
  if (description.length > 300) {
    invalidInput(`the description of scope "${name}" is over 300 characters`, subject);
  }
  return description;
}

// The admin API points at `name` (a form shows the message next to it); the message names it.
const resourceName = (value: string) =>
  aboutField('name', undefined, () => validateName(value, 'resource name'));

function validateTtl(value: Lifetime): number {
  const seconds = typeof value === 'number' ? value : parseDuration(value);
  if (seconds === undefined || !Number.isInteger(seconds) || seconds < 1 || seconds > 86_400) {
    invalidInput(
      `the access-token lifetime must be from 1 second to 1 day (like 600, 15m or 1h), got "${value}"`,
      { field: 'accessTokenTtl', value },
    );
  }
  return seconds;
}

function validateFormat(value: string): 'jwt' | 'opaque' {
  if (!(ACCESS_TOKEN_FORMATS as readonly string[]).includes(value)) {
    invalidInput(`the access-token format must be jwt or opaque, got "${value}"`, {
      field: 'accessTokenFormat',
      value,
    });
  }
  return value as 'jwt' | 'opaque';
}

/** The checks of `--access-token-ttl` and `--format`, for callers that check ahead (`apply`). */
export const validateResourceTtl = validateTtl;
export const validateResourceFormat = validateFormat;

// `field` is the input list the scopes came from: `scopes` (create) or `putScopes` (update).
// Descriptions are checked here too, not only by the CLI's `name=description` parser: the admin
// API takes them as they come, and consent pages show them.
function validateNewScopes(scopes: readonly ScopeRecord[], field: string): ScopeRecord[] {
  const seen = new Set<string>();
  return scopes.map((scope, index) => {
    aboutField(field, index, () => validateScopeName(scope.name));
    const subject = { field, index, value: scope.name };
    if (OIDC_SCOPES.includes(scope.name))
      invalidInput(`"${scope.name}" is an OpenID scope, not a resource scope`, subject);
    if (seen.has(scope.name)) invalidInput(`scope "${scope.name}" is given twice`, subject);
    seen.add(scope.name);
    const description = validateScopeDescription(scope.name, scope.description, { field, index });
    return { name: scope.name, description };
  });
}

/**
 * The role gating `input` asks for: every named scope must be the resource's (or added by the
 * same update), none both gated and not. Returns the storage changes and the audit's names of
 * what actually changes (`scope notes:admin role-gated`).
 */
function gatingChanges(
  current: ResourceRecord,
  input: UpdateResourceInput,
  put: readonly ScopeRecord[],
): { changes: Pick<ResourceChanges, 'gateScopes' | 'ungateScopes'>; changed: string[] } {
  const gate = [...new Set(input.gateScopes ?? [])];
  const ungate = [...new Set(input.ungateScopes ?? [])];
  const known = (name: string) =>
    current.scopes.some((s) => s.name === name) || put.some((s) => s.name === name);
  for (const [field, names] of [
    ['gateScopes', gate],
    ['ungateScopes', ungate],
  ] as const) {
    for (const name of names) {
      const subject = { field, value: name };
      if (!known(name)) invalidInput(`the resource has no scope "${name}"`, subject);
      if (field === 'gateScopes' && ungate.includes(name)) {
        invalidInput(`scope "${name}" is both role-gated and not`, subject);
      }
    }
  }
  const gated = new Set(current.roleGatedScopes);
  return {
    changes: {
      ...(gate.length > 0 ? { gateScopes: gate } : {}),
      ...(ungate.length > 0 ? { ungateScopes: ungate } : {}),
    },
    changed: [
      ...gate.filter((n) => !gated.has(n)).map((n) => `scope ${n} role-gated`),
      ...ungate.filter((n) => gated.has(n)).map((n) => `scope ${n} not role-gated`),
    ],
  };
}

/**
 * API resource registration for the CLI: validation before any write, one transaction per
 * change with its audit event, and running servers see the change within a second
 * (LISTEN/NOTIFY invalidates their resource registry).
 *
 * @example
 * const resources = createResourcesService(db);
 * await resources.update('https://api.example.com', { accessTokenTtl: '15m' }, { actor: 'cli:alice' });
 */
export function createResourcesService(db: Database) {
  const resources = createResourcesRepository(db);
  const clients = createClientsRepository(db);

  const event = (
    type: NewAuditEvent['type'],
    identifier: string,
    options: ResourceChangeOptions,
    details: Record<string, unknown>,
  ): NewAuditEvent => ({
    type,
    actor: options.actor ?? 'system',
    details: { resource: identifier, ...details },
  });

  const mustFind = async (identifier: string): Promise<ResourceRecord> => {
    const found = await resources.find(identifier);
    if (!found) throw new AuthServerError('not_found', `no resource "${identifier}"`);
    return found;
  };

  // Only a confidential client can authenticate at the introspection endpoint.
  const validateIntrospectionClients = async (ids: readonly string[]): Promise<string[]> => {
    const unique = [...new Set(ids)];
    for (const id of unique) {
      const client = await clients.findById(id);
      const subject = { field: 'introspectionClients', index: ids.indexOf(id), value: id };
      if (!client) {
        invalidInput(`no client with id "${id}" (give the client id, not its name)`, subject);
      }
      if (client.isPublic) {
        invalidInput(
          `client "${client.name}" is public: it cannot authenticate to introspect`,
          subject,
        );
      }
    }
    return unique;
  };

  return {
    async create(
      input: CreateResourceInput,
      options: ResourceChangeOptions = {},
    ): Promise<ResourceRecord> {
      const identifier = aboutField('identifier', undefined, () =>
        validateResourceIdentifier(input.identifier),
      );
      const name = resourceName(input.name);
      const scopes = validateNewScopes(input.scopes, 'scopes');
      const accessTokenTtl = validateTtl(input.accessTokenTtl ?? RESOURCE_DEFAULTS.accessTokenTtl);
      const accessTokenFormat = validateFormat(
        input.accessTokenFormat ?? RESOURCE_DEFAULTS.accessTokenFormat,
      );
      const introspectionClients = await validateIntrospectionClients(
        input.introspectionClients ?? [],
      );
      const roleGatedScopes = [...new Set(input.roleGatedScopes ?? [])];
      for (const gated of roleGatedScopes) {
        if (!scopes.some((s) => s.name === gated)) {
          invalidInput(`the resource has no scope "${gated}"`, {
            field: 'roleGatedScopes',
            value: gated,
          });
        }
      }
      const rolesClaim = input.rolesClaim ?? false;
      try {
        return await resources.create(
          {
            identifier,
            name,
            scopes,
            accessTokenTtl,
            accessTokenFormat,
            introspectionClients,
            roleGatedScopes,
            rolesClaim,
          },
          {
            audit: [
              event('resource.created', identifier, options, {
                name,
                scopes: scopes.map((s) => s.name),
                access_token_ttl: accessTokenTtl,
                access_token_format: accessTokenFormat,
                ...(roleGatedScopes.length > 0 ? { role_gated_scopes: roleGatedScopes } : {}),
                ...(rolesClaim ? { roles_claim: true } : {}),
              }),
            ],
          },
        );
      } catch (error) {
        // The identifier or the name is taken; `apply`, which creates only identifiers it does
        // not find, meets only the name.
        throw fromStorage(error, { field: 'name' });
      }
    },

    /** Changes what `input` gives; `not_found` for an unknown identifier. */
    async update(
      identifier: string,
      input: UpdateResourceInput,
      options: ResourceChangeOptions = {},
    ): Promise<{ resource: ResourceRecord; changed: string[] }> {
      const current = await mustFind(identifier);
      const changes: ResourceChanges = {};
      if (input.name !== undefined) changes.name = resourceName(input.name);
      if (input.accessTokenTtl !== undefined) {
        changes.accessTokenTtl = validateTtl(input.accessTokenTtl);
      }
      if (input.accessTokenFormat !== undefined) {
        changes.accessTokenFormat = validateFormat(input.accessTokenFormat);
      }
      if (input.introspectionClients !== undefined) {
        changes.introspectionClients = await validateIntrospectionClients(
          input.introspectionClients,
        );
      }
      const put = validateNewScopes(input.putScopes ?? [], 'putScopes');
      const remove = [...new Set(input.removeScopes ?? [])];
      for (const name of remove) {
        const subject = { field: 'removeScopes', value: name };
        if (!current.scopes.some((s) => s.name === name)) {
          invalidInput(`the resource has no scope "${name}" to remove`, subject);
        }
        if (put.some((s) => s.name === name))
          invalidInput(`scope "${name}" is both set and removed`, subject);
      }
      if (put.length > 0) changes.putScopes = put;
      if (remove.length > 0) changes.removeScopes = remove;
      const gating = gatingChanges(current, input, put);
      Object.assign(changes, gating.changes);
      if (input.rolesClaim !== undefined) changes.rolesClaim = input.rolesClaim;

      const changed = [
        ...(changes.name !== undefined && changes.name !== current.name ? ['name'] : []),
        ...(changes.accessTokenTtl !== undefined &&
        changes.accessTokenTtl !== current.accessTokenTtl
          ? ['access_token_ttl']
          : []),
        ...(changes.accessTokenFormat !== undefined &&
        changes.accessTokenFormat !== current.accessTokenFormat
          ? ['access_token_format']
          : []),
        ...(changes.introspectionClients !== undefined &&
        changes.introspectionClients.join(' ') !== current.introspectionClients.join(' ')
          ? ['introspection_clients']
          : []),
        ...put
          .filter(
            (s) => current.scopes.find((c) => c.name === s.name)?.description !== s.description,
          )
          .map((s) => `scope ${s.name}`),
        ...remove.map((name) => `scope ${name} (removed)`),
        ...gating.changed,
        ...(changes.rolesClaim !== undefined && changes.rolesClaim !== current.rolesClaim
          ? ['roles_claim']
          : []),
      ];
      if (changed.length === 0) return { resource: current, changed };
      try {
        const resource = await resources.update(identifier, changes, {
          audit: [event('resource.updated', identifier, options, { changed })],
          keepScopes: OIDC_SCOPES,
        });
        if (!resource) throw new AuthServerError('not_found', `no resource "${identifier}"`);
        return { resource, changed };
      } catch (error) {
        // A conflict here is the name, taken by another in any case.
        throw fromStorage(error, { field: 'name' });
      }
    },

    /**
     * Deletes the resource with its scopes and stored tokens. While clients are allowed it,
     * refuses with `conflict` unless `force`, which takes it off those clients.
     */
    async delete(
      identifier: string,
      options: ResourceChangeOptions & { force?: boolean } = {},
    ): Promise<DeletedResource> {
      let deleted: DeletedResource | undefined;
      try {
        deleted = await resources.delete(identifier, {
          force: options.force,
          audit: [event('resource.deleted', identifier, options, { forced: !!options.force })],
          keepScopes: OIDC_SCOPES,
        });
      } catch (error) {
        const converted = fromStorage(error);
        if (converted instanceof AuthServerError && converted.code === 'conflict') {
          throw new AuthServerError('conflict', `${converted.message}: take it off them first`, {
            cause: error,
          });
        }
        throw converted;
      }
      if (!deleted) throw new AuthServerError('not_found', `no resource "${identifier}"`);
      return deleted;
    },

    /**
     * Locks the resource until the transaction the service runs in ends: a change checked
     * against what the caller read (the admin API's `If-Match`) locks, reads, then writes.
     * `not_found` for an unknown resource.
     */
    async lockForChange(identifier: string): Promise<void> {
      if (!(await resources.lockForChange(identifier))) {
        throw new AuthServerError('not_found', `no resource "${identifier}"`);
      }
    },

    /** The clients allowed the resource (ids and names). */
    referencingClients: (identifier: string) => resources.referencingClients(identifier),

    list: () => resources.list(),

    /** A page of resources by name, then identifier, read by the database (the admin API's list). */
    listPage: (page: NamePageQuery) => resources.listPage(page),

    find: (identifier: string) => resources.find(identifier),

    /** The resource; `not_found` when there is none. */
    show: mustFind,
  };
}

/** The service {@link createResourcesService} returns. */
export type ResourcesService = ReturnType<typeof createResourcesService>;
