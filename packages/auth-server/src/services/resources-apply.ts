import {
  createResourcesApplyRepository,
  type Database,
  type ResourceRecord,
  type ResourceWrites,
} from '@portcullis/storage';
import { AuthServerError } from '../errors.ts';
import { fromStorage } from './clients-service.ts';
import type { DeclaredResource } from './resource-catalogue.ts';

/** One change `apply` makes, or would make with `dryRun`. */
export type ResourceChange =
  | { action: 'create_resource'; resource: string; name: string }
  | { action: 'rename_resource'; resource: string; from: string; to: string }
  | { action: 'add_scope'; resource: string; scope: string; description: string }
  | { action: 'update_scope'; resource: string; scope: string; from: string; to: string }
  | { action: 'delete_scope'; resource: string; scope: string };

/** What {@link applyResources} did (or, with `dryRun`, would do). */
export interface ApplyResourcesResult {
  /** False with `dryRun`: nothing was written. */
  applied: boolean;
  /** Every change, resource by resource in declaration order. */
  changes: ResourceChange[];
  /** Scopes registered but not declared, kept because `prune` was off. */
  undeclared: Array<{ resource: string; scope: string }>;
}

/** Options of {@link applyResources}. */
export interface ApplyResourcesOptions {
  /** Delete registered scopes the catalogue does not declare [false: report them]. */
  prune?: boolean;
  /** Compute the changes, write nothing [false]. */
  dryRun?: boolean;
}

const emptyWrites = (): ResourceWrites => ({
  rename: [],
  create: [],
  upsertScopes: [],
  deleteScopes: [],
});

/**
 * The changes that bring `current` to `declared` (resources not declared are not looked at), the
 * writes that make them, and the registered scopes left undeclared (deleted only with `prune`).
 * Fails with `conflict` when a declared name is taken by a resource not declared. Also used by
 * `portcullis apply`.
 *
 * @example
 * const { changes, undeclared } = planResourceChanges(declared, await repo.list(), false);
 */
export function planResourceChanges(
  declared: readonly DeclaredResource[],
  current: ResourceRecord[],
  prune: boolean,
) {
  const writes = emptyWrites();
  const changes: ResourceChange[] = [];
  const undeclared: ApplyResourcesResult['undeclared'] = [];
  const byIdentifier = new Map(current.map((r) => [r.identifier, r]));
  const declaredIds = new Set(declared.map((r) => r.identifier));

  for (const resource of declared) {
    const { identifier: id, name } = resource;
    // Names are unique regardless of case; say which resource holds it rather than fail later.
    const holder = current.find(
      (r) => !declaredIds.has(r.identifier) && r.name.toLowerCase() === name.toLowerCase(),
    );
    if (holder !== undefined) {
      throw new AuthServerError(
        'conflict',
        `the name "${name}" is taken by the resource ${holder.identifier}`,
        { field: 'name', value: name },
      );
    }
    const existing = byIdentifier.get(id);
    if (existing === undefined) {
      writes.create.push({ identifier: id, name, scopes: resource.scopes });
      changes.push({ action: 'create_resource', resource: id, name });
      for (const s of resource.scopes) {
        changes.push({
          action: 'add_scope',
          resource: id,
          scope: s.name,
          description: s.description,
        });
      }
      continue;
    }
    if (existing.name !== name) {
      writes.rename.push({ identifier: id, name });
      changes.push({ action: 'rename_resource', resource: id, from: existing.name, to: name });
    }
    const registered = new Map(existing.scopes.map((s) => [s.name, s.description]));
    for (const scope of resource.scopes) {
      const description = registered.get(scope.name);
      if (description === scope.description) continue;
      writes.upsertScopes.push({ identifier: id, scope });
      changes.push(
        description === undefined
          ? { action: 'add_scope', resource: id, scope: scope.name, description: scope.description }
          : {
              action: 'update_scope',
              resource: id,
              scope: scope.name,
              from: description,
              to: scope.description,
            },
      );
    }
    const wanted = new Set(resource.scopes.map((s) => s.name));
    for (const scope of existing.scopes) {
      if (wanted.has(scope.name)) continue;
      if (prune) {
        writes.deleteScopes.push({ identifier: id, name: scope.name });
        changes.push({ action: 'delete_scope', resource: id, scope: scope.name });
      } else {
        undeclared.push({ resource: id, scope: scope.name });
      }
    }
  }
  return { writes, changes, undeclared };
}

/**
 * Brings the registered API resources to what `declared` says (`portcullis resources apply`),
 * idempotently: creates missing resources, adds missing scopes, updates names and descriptions,
 * and, with `prune`, deletes scopes no longer declared (otherwise reports them). Resources the
 * catalogue does not mention are left alone. Everything happens in one transaction, and every
 * changed resource is announced to running servers as `resources create` does. Validate
 * `declared` with `parseResourceCatalogue` first.
 *
 * @example
 * const result = await applyResources(db, parseResourceCatalogue(json), { prune: true });
 */
export async function applyResources(
  db: Database,
  declared: readonly DeclaredResource[],
  options: ApplyResourcesOptions = {},
): Promise<ApplyResourcesResult> {
  const prune = options.prune ?? false;
  const dryRun = options.dryRun ?? false;
  try {
    const { changes, undeclared } = await createResourcesApplyRepository(db).apply(
      declared.map((r) => r.identifier),
      (current) => {
        const { writes, ...result } = planResourceChanges(declared, current, prune);
        return { writes, result };
      },
      { dryRun },
    );
    return { applied: !dryRun, changes, undeclared };
  } catch (error) {
    throw fromStorage(error);
  }
}
