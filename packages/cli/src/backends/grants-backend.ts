import type { GrantJson } from '@portcullis/auth-server/config';
import type { GrantRevokeTarget } from '@portcullis/auth-server/services';

/**
 * What the `grants` commands do, as one interface with two back ends: the grants service on the
 * database, or the admin API (`--server`). Either prints the same.
 */
export interface GrantsBackend {
  /** The user's live grants, newest first, as `grants list --json` prints them. */
  list(idOrUsername: string): Promise<GrantJson[]>;
  /** Revokes the grant, or the user's grants (to one client), with their tokens: how many. */
  revoke(target: GrantRevokeTarget): Promise<number>;
}
