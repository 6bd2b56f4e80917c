import type { CreateResourceInput, UpdateResourceInput } from '@portcullis/auth-server/services';
import type { ResourceRecord } from '@portcullis/storage';

/** A resource and the clients allowed it, as `resources show` prints them. */
export interface ShownResource {
  resource: ResourceRecord;
  clients: Array<{ id: string; name: string }>;
}

/** What `resources delete` did. */
export interface DeletedResource {
  resource: ResourceRecord;
  detachedClients: string[];
  revokedTokens: number;
}

/**
 * What the `resources` commands do (but `apply`), as one interface with two back ends: the
 * resources service on the database, or the admin API (`--server`). Either prints the same.
 */
export interface ResourcesBackend {
  list(): Promise<ResourceRecord[]>;
  show(identifier: string): Promise<ShownResource>;
  create(input: CreateResourceInput): Promise<ResourceRecord>;
  update(
    identifier: string,
    input: UpdateResourceInput,
  ): Promise<{ resource: ResourceRecord; changed: string[] }>;
  /**
   * Deletes the resource (the one `show` read, if it was shown first). While clients are
   * allowed it and `force` is not given, refuses in a line that says `--force` overrides it.
   */
  delete(identifier: string, options: { force?: boolean }): Promise<DeletedResource>;
}

/** The refusal to delete a resource clients are allowed, with the flag that overrides it. */
export const withForceHint = (message: string) => `${message}, or delete with --force`;
