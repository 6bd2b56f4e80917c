import type { Database } from '../database.ts';
import { isUniqueViolation, StorageError } from '../errors.ts';
import { notifyChange } from '../notifications.ts';

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
  scopes: ScopeRecord[];
  createdAt: Date;
}

/** What {@link ResourcesRepository.create} needs. */
export interface NewResource {
  identifier: string;
  name: string;
  accessTokenTtl?: number;
  accessTokenFormat?: 'jwt' | 'opaque';
  scopes: ScopeRecord[];
}

interface ResourceRow {
  identifier: string;
  name: string;
  access_token_ttl: number;
  access_token_format: 'jwt' | 'opaque';
  created_at: Date;
}

/** API resources and their scopes. Every write announces the change to running servers. */
export function createResourcesRepository(db: Database) {
  const withScopes = async (rows: ResourceRow[]): Promise<ResourceRecord[]> => {
    if (rows.length === 0) return [];
    const scopes = await db('resource_scopes')
      .whereIn(
        'resource_identifier',
        rows.map((r) => r.identifier),
      )
      .orderBy('name')
      .select<Array<{ resource_identifier: string; name: string; description: string }>>();
    return rows.map((row) => ({
      identifier: row.identifier,
      name: row.name,
      accessTokenTtl: row.access_token_ttl,
      accessTokenFormat: row.access_token_format,
      createdAt: row.created_at,
      scopes: scopes
        .filter((s) => s.resource_identifier === row.identifier)
        .map((s) => ({ name: s.name, description: s.description })),
    }));
  };

  return {
    /** Creates a resource with its scopes in one transaction; `conflict` when taken. */
    async create(resource: NewResource): Promise<ResourceRecord> {
      try {
        await db.transaction(async (trx) => {
          await trx('resources').insert({
            identifier: resource.identifier,
            name: resource.name,
            access_token_ttl: resource.accessTokenTtl ?? 600,
            access_token_format: resource.accessTokenFormat ?? 'jwt',
          });
          if (resource.scopes.length > 0) {
            await trx('resource_scopes').insert(
              resource.scopes.map((s) => ({
                resource_identifier: resource.identifier,
                name: s.name,
                description: s.description,
              })),
            );
          }
          await notifyChange(trx, { kind: 'resource', id: resource.identifier });
        });
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new StorageError(
            'conflict',
            `a resource with identifier "${resource.identifier}" or name "${resource.name}" already exists`,
            { cause: error },
          );
        }
        throw error;
      }
      const created = await this.find(resource.identifier);
      if (!created) throw new StorageError('not_found', 'the resource vanished after creation');
      return created;
    },

    async find(identifier: string): Promise<ResourceRecord | undefined> {
      const rows = await db<ResourceRow>('resources').where({ identifier });
      return (await withScopes(rows))[0];
    },

    async list(): Promise<ResourceRecord[]> {
      return withScopes(await db<ResourceRow>('resources').orderBy('identifier'));
    },
  };
}

/** The repository {@link createResourcesRepository} returns. */
export type ResourcesRepository = ReturnType<typeof createResourcesRepository>;
