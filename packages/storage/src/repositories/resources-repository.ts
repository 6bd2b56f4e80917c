import type { Database } from '../database.ts';
import { isUniqueViolation, StorageError } from '../errors.ts';
import { notifyChange } from '../notifications.ts';
import { createAuditRepository, type NewAuditEvent } from './audit-repository.ts';
import { byNamePage, type NamePageQuery } from './name-page.ts';

/** A scope of an API resource, with the description shown on consent pages. */
export interface ScopeRecord {
  name: string;
  description: string;
}

/** An API resource (RFC 8707 resource indicator) and its scopes. */
export interface ResourceRecord {
  identifier: string;
  name: string;
  accessTokenTtl: number;
  accessTokenFormat: 'jwt' | 'opaque';
  /** Clients (the API's own) that may introspect tokens issued for this resource. */
  introspectionClients: string[];
  scopes: ScopeRecord[];
  /** Scopes a user gets only through a role (`resources update --role-gated`). */
  roleGatedScopes: string[];
  /** Whether access tokens for this resource carry the user's `roles`. */
  rolesClaim: boolean;
  createdAt: Date;
}

/** What {@link ResourcesRepository.create} needs. */
export interface NewResource {
  identifier: string;
  name: string;
  accessTokenTtl?: number;
  accessTokenFormat?: 'jwt' | 'opaque';
  introspectionClients?: string[];
  scopes: ScopeRecord[];
  /** Names of `scopes` that are role-gated. */
  roleGatedScopes?: string[];
  rolesClaim?: boolean;
}

/** What {@link ResourcesRepository.update} changes; anything undefined stays as it is. */
export interface ResourceChanges {
  name?: string;
  accessTokenTtl?: number;
  accessTokenFormat?: 'jwt' | 'opaque';
  introspectionClients?: string[];
  /** Scopes to add, or whose description to replace. */
  putScopes?: ScopeRecord[];
  /** Scope names to delete. */
  removeScopes?: string[];
  /** Scope names to make role-gated. */
  gateScopes?: string[];
  /** Scope names any allowed client may get again, whoever the user is. */
  ungateScopes?: string[];
  rolesClaim?: boolean;
}

/** What deleting a resource did. */
export interface DeletedResource {
  resource: ResourceRecord;
  /** Clients that were allowed the resource and no longer are (only with `force`). */
  detachedClients: string[];
  /** Stored (opaque) access tokens for the resource that were deleted with it. */
  revokedTokens: number;
}

/** Audit events recorded in the same transaction as a write. */
export interface ResourceAuditOption {
  audit?: readonly NewAuditEvent[];
  /**
   * Scopes a client keeps even when none of its resources defines them (the OpenID scopes).
   * Other scopes a client no longer gets from any of its resources, after a scope was removed or
   * the resource taken off it, are taken off the client in the same transaction.
   */
  keepScopes?: readonly string[];
}

interface ResourceRow {
  identifier: string;
  name: string;
  access_token_ttl: number;
  access_token_format: 'jwt' | 'opaque';
  introspection_clients: string[];
  roles_claim: boolean;
  created_at: Date;
}

const conflict = (error: unknown, identifier: string, name: string | undefined) =>
  isUniqueViolation(error)
    ? new StorageError(
        'conflict',
        name === undefined
          ? `a resource with identifier "${identifier}" already exists`
          : `a resource with identifier "${identifier}" or name "${name}" already exists`,
        { cause: error },
      )
    : error;

async function recordAll(db: Database, events: readonly NewAuditEvent[] = []): Promise<void> {
  const audit = createAuditRepository(db);
  for (const event of events) await audit.record(event);
}

// Takes off each client the scopes none of its resources defines any more (except `keep`), so a
// client never holds a scope it cannot get; returns the ids of the clients that changed.
async function trimClientScopes(
  trx: Database,
  clientIds: readonly string[],
  keep: readonly string[] = [],
): Promise<string[]> {
  const changed: string[] = [];
  const clients: Array<{ id: string; scopes: string[]; resources: string[] }> = await trx('clients')
    .whereIn('id', clientIds)
    .select('id', 'scopes', 'resources');
  for (const client of clients) {
    const defined = new Set<string>(
      await trx('resource_scopes')
        .whereIn('resource_identifier', client.resources)
        .distinct()
        .pluck('name'),
    );
    const scopes = client.scopes.filter((s) => keep.includes(s) || defined.has(s));
    if (scopes.length === client.scopes.length) continue;
    await trx('clients').where({ id: client.id }).update({ scopes, updated_at: trx.fn.now() });
    await notifyChange(trx, { kind: 'client', id: client.id });
    changed.push(client.id);
  }
  return changed;
}

/**
 * API resources and their scopes. Every write announces the change to running servers and
 * records its audit events in the same transaction.
 *
 * @example
 * const resources = createResourcesRepository(db);
 * await resources.update('https://api.example.com', { accessTokenFormat: 'opaque' });
 */
export function createResourcesRepository(db: Database) {
  const withScopes = async (
    rows: ResourceRow[],
    source: Database = db,
  ): Promise<ResourceRecord[]> => {
    if (rows.length === 0) return [];
    const scopes = await source('resource_scopes')
      .whereIn(
        'resource_identifier',
        rows.map((r) => r.identifier),
      )
      .orderBy('name')
      .select<
        Array<{
          resource_identifier: string;
          name: string;
          description: string;
          role_gated: boolean;
        }>
      >();
    return rows.map((row) => ({
      identifier: row.identifier,
      name: row.name,
      accessTokenTtl: row.access_token_ttl,
      accessTokenFormat: row.access_token_format,
      introspectionClients: row.introspection_clients ?? [],
      rolesClaim: row.roles_claim,
      createdAt: row.created_at,
      scopes: scopes
        .filter((s) => s.resource_identifier === row.identifier)
        .map((s) => ({ name: s.name, description: s.description })),
      roleGatedScopes: scopes
        .filter((s) => s.resource_identifier === row.identifier && s.role_gated)
        .map((s) => s.name),
    }));
  };
  const findIn = async (source: Database, identifier: string) =>
    (await withScopes(await source<ResourceRow>('resources').where({ identifier }), source))[0];

  return {
    /** Creates a resource with its scopes in one transaction; `conflict` when taken. */
    async create(
      resource: NewResource,
      options: ResourceAuditOption = {},
    ): Promise<ResourceRecord> {
      try {
        await db.transaction(async (trx) => {
          await trx('resources').insert({
            identifier: resource.identifier,
            name: resource.name,
            access_token_ttl: resource.accessTokenTtl ?? 600,
            access_token_format: resource.accessTokenFormat ?? 'jwt',
            introspection_clients: resource.introspectionClients ?? [],
            roles_claim: resource.rolesClaim ?? false,
          });
          if (resource.scopes.length > 0) {
            await trx('resource_scopes').insert(
              resource.scopes.map((s) => ({
                resource_identifier: resource.identifier,
                name: s.name,
                description: s.description,
                role_gated: resource.roleGatedScopes?.includes(s.name) ?? false,
              })),
            );
          }
          await recordAll(trx, options.audit);
          await notifyChange(trx, { kind: 'resource', id: resource.identifier });
        });
      } catch (error) {
        throw conflict(error, resource.identifier, resource.name);
      }
      const created = await this.find(resource.identifier);
      if (!created) throw new StorageError('not_found', 'the resource vanished after creation');
      return created;
    },

    /**
     * Applies `changes` in one transaction; undefined when there is no such resource,
     * `conflict` when the new name is taken.
     */
    async update(
      identifier: string,
      changes: ResourceChanges,
      options: ResourceAuditOption = {},
    ): Promise<ResourceRecord | undefined> {
      const columns: Record<string, unknown> = {};
      if (changes.name !== undefined) columns.name = changes.name;
      if (changes.accessTokenTtl !== undefined) columns.access_token_ttl = changes.accessTokenTtl;
      if (changes.accessTokenFormat !== undefined) {
        columns.access_token_format = changes.accessTokenFormat;
      }
      if (changes.introspectionClients !== undefined) {
        columns.introspection_clients = changes.introspectionClients;
      }
      if (changes.rolesClaim !== undefined) columns.roles_claim = changes.rolesClaim;
      try {
        return await db.transaction(async (trx) => {
          const updated = await trx('resources')
            .where({ identifier })
            .update({ ...columns, updated_at: trx.fn.now() });
          if (updated === 0) return undefined;
          if (changes.removeScopes && changes.removeScopes.length > 0) {
            await trx('resource_scopes')
              .where({ resource_identifier: identifier })
              .whereIn('name', changes.removeScopes)
              .delete();
            const allowed = await trx('clients')
              .whereRaw('? = ANY(resources)', [identifier])
              .pluck('id');
            await trimClientScopes(trx, allowed, options.keepScopes);
          }
          for (const scope of changes.putScopes ?? []) {
            await trx('resource_scopes')
              .insert({
                resource_identifier: identifier,
                name: scope.name,
                description: scope.description,
              })
              .onConflict(['resource_identifier', 'name'])
              .merge(['description']);
          }
          for (const [names, gated] of [
            [changes.gateScopes, true],
            [changes.ungateScopes, false],
          ] as const) {
            if (!names || names.length === 0) continue;
            await trx('resource_scopes')
              .where({ resource_identifier: identifier })
              .whereIn('name', names)
              .update({ role_gated: gated });
          }
          await recordAll(trx, options.audit);
          await notifyChange(trx, { kind: 'resource', id: identifier });
          return findIn(trx, identifier);
        });
      } catch (error) {
        throw conflict(error, identifier, changes.name);
      }
    },

    /** Ids and names of the clients allowed the resource, by name. */
    async referencingClients(identifier: string): Promise<Array<{ id: string; name: string }>> {
      return db('clients')
        .whereRaw('? = ANY(resources)', [identifier])
        .orderBy('name')
        .select('id', 'name');
    },

    /**
     * Deletes the resource, its scopes and the stored access tokens issued for it, in one
     * transaction. Refuses with `conflict` while clients are allowed the resource, unless `force`,
     * which takes it (and the scopes they got only from it) off those clients too. Clients that
     * may exchange tokens for it (RFC 8693) lose that permission. Undefined when
     * there is no such resource.
     */
    async delete(
      identifier: string,
      options: ResourceAuditOption & { force?: boolean } = {},
    ): Promise<DeletedResource | undefined> {
      return db.transaction(async (trx) => {
        const locked = await trx('resources').where({ identifier }).forUpdate().first('identifier');
        if (!locked) return undefined;
        const resource = (await findIn(trx, identifier)) as ResourceRecord;
        const clients: Array<{ id: string; name: string }> = await trx('clients')
          .whereRaw('? = ANY(resources)', [identifier])
          .orderBy('name')
          .forUpdate()
          .select('id', 'name');
        if (clients.length > 0 && !options.force) {
          const names = clients.map((c) => c.name);
          throw new StorageError(
            'conflict',
            `${clients.length} client(s) are allowed this resource (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''})`,
          );
        }
        for (const client of clients) {
          await trx('clients')
            .where({ id: client.id })
            .update({
              resources: trx.raw('array_remove(resources, ?)', [identifier]),
              updated_at: trx.fn.now(),
            });
          await notifyChange(trx, { kind: 'client', id: client.id });
        }
        // A delegation policy naming the resource goes with it (it could only ever be refused).
        const exchanging: Array<{ id: string }> = await trx('clients')
          .whereRaw('? = ANY(may_exchange_for)', [identifier])
          .update({
            may_exchange_for: trx.raw('array_remove(may_exchange_for, ?)', [identifier]),
            updated_at: trx.fn.now(),
          })
          .returning('id');
        for (const client of exchanging) {
          await notifyChange(trx, { kind: 'client', id: client.id });
        }
        const revokedTokens = await trx('oidc_artifacts')
          .whereIn('model', ['AccessToken', 'ClientCredentials'])
          .whereRaw(`payload->>'aud' = ?`, [identifier])
          .delete();
        await trx('resources').where({ identifier }).delete();
        await trimClientScopes(
          trx,
          clients.map((c) => c.id),
          options.keepScopes,
        );
        await recordAll(trx, options.audit);
        await notifyChange(trx, { kind: 'resource', id: identifier });
        return { resource, detachedClients: clients.map((c) => c.id), revokedTokens };
      });
    },

    /**
     * Locks the resource's row until the transaction `db` ends (`SELECT ... FOR UPDATE`), for a
     * change checked against what was read (the admin API's `If-Match`). `false`: no such
     * resource.
     */
    async lockForChange(identifier: string): Promise<boolean> {
      const row = await db('resources').where({ identifier }).forUpdate().first('identifier');
      return row !== undefined;
    },

    async find(identifier: string): Promise<ResourceRecord | undefined> {
      return findIn(db, identifier);
    },

    /**
     * The identifiers of the resources that name `clientId` as an introspection client: the
     * APIs it speaks for (the revocation feed serves them).
     */
    async introspectedBy(clientId: string): Promise<string[]> {
      return db('resources')
        .whereRaw('? = ANY(introspection_clients)', [clientId])
        .orderBy('identifier')
        .pluck('identifier');
    },

    async list(): Promise<ResourceRecord[]> {
      return withScopes(await db<ResourceRow>('resources').orderBy('identifier'));
    },

    /** A page of resources by name, then identifier (see byNamePage, searched by both), with their scopes. */
    async listPage(page: NamePageQuery): Promise<ResourceRecord[]> {
      return withScopes(await byNamePage(db<ResourceRow>('resources'), 'name', 'identifier', page));
    },
  };
}

/** The repository {@link createResourcesRepository} returns. */
export type ResourcesRepository = ReturnType<typeof createResourcesRepository>;
