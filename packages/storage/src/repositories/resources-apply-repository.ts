import type { Database } from '../database.ts';
import { isUniqueViolation, StorageError } from '../errors.ts';
import { notifyChange } from '../notifications.ts';
import {
  createResourcesRepository,
  type ResourceRecord,
  type ScopeRecord,
} from './resources-repository.ts';

/** Writes that bring resources to a declared state; see {@link createResourcesApplyRepository}. */
export interface ResourceWrites {
  /** New names of existing resources. */
  rename: Array<{ identifier: string; name: string }>;
  /** New resources with their scopes (default token lifetime and format). */
  create: Array<{ identifier: string; name: string; scopes: ScopeRecord[] }>;
  /** Scopes to add to an existing resource, or whose description changes. */
  upsertScopes: Array<{ identifier: string; scope: ScopeRecord }>;
  /** Scopes to delete from an existing resource. */
  deleteScopes: Array<{ identifier: string; name: string }>;
}

/** What {@link createResourcesApplyRepository}'s `apply` calls to turn the current state into writes. */
export type DecideWrites<T> = (current: ResourceRecord[]) => { writes: ResourceWrites; result: T };

/**
 * Declarative upserts of API resources (`portcullis resources apply`): read, decide and write in
 * one transaction, so nothing can change between the plan and the writes, and a failure leaves
 * nothing half-applied.
 */
export function createResourcesApplyRepository(db: Database) {
  return {
    /**
     * Locks the rows of `identifiers` that exist, passes every resource (with its scopes) to
     * `decide`, performs the writes it returns unless `dryRun`, and announces each changed
     * resource to running servers (delivered on commit). A name taken by another resource fails
     * with `conflict` and rolls everything back. Returns what `decide` returned.
     *
     * @example
     * const result = await repo.apply(['https://api.example.com'], (current) => plan(current));
     */
    async apply<T>(
      identifiers: readonly string[],
      decide: DecideWrites<T>,
      options: { dryRun?: boolean } = {},
    ): Promise<T> {
      try {
        return await db.transaction(async (trx) => {
          if (identifiers.length > 0) {
            await trx('resources')
              .whereIn('identifier', identifiers)
              .select('identifier')
              .forUpdate();
          }
          const { writes, result } = decide(await createResourcesRepository(trx).list());
          if (!options.dryRun) await write(trx, writes);
          return result;
        });
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new StorageError(
            'conflict',
            'a resource name is taken by another resource (names are unique regardless of case)',
            { cause: error },
          );
        }
        throw error;
      }
    },
  };
}

async function write(trx: Database, writes: ResourceWrites): Promise<void> {
  const changed = new Set<string>();
  // Renames first, so a new resource may take a name an existing one gives up.
  for (const { identifier, name } of writes.rename) {
    await trx('resources').where({ identifier }).update({ name, updated_at: trx.fn.now() });
    changed.add(identifier);
  }
  for (const resource of writes.create) {
    await trx('resources').insert({ identifier: resource.identifier, name: resource.name });
    if (resource.scopes.length > 0) {
      await trx('resource_scopes').insert(
        resource.scopes.map((s) => ({
          resource_identifier: resource.identifier,
          name: s.name,
          description: s.description,
        })),
      );
    }
    changed.add(resource.identifier);
  }
  for (const { identifier, scope } of writes.upsertScopes) {
    await trx('resource_scopes')
      .insert({ resource_identifier: identifier, name: scope.name, description: scope.description })
      .onConflict(['resource_identifier', 'name'])
      .merge(['description']);
    changed.add(identifier);
  }
  for (const { identifier, name } of writes.deleteScopes) {
    await trx('resource_scopes').where({ resource_identifier: identifier, name }).delete();
    changed.add(identifier);
  }
  for (const identifier of changed) {
    await trx('resources').where({ identifier }).update({ updated_at: trx.fn.now() });
    await notifyChange(trx, { kind: 'resource', id: identifier });
  }
}

/** The repository {@link createResourcesApplyRepository} returns. */
export type ResourcesApplyRepository = ReturnType<typeof createResourcesApplyRepository>;
