import { grantJson } from '@portcullis/auth-server/config';
import type { Io } from '../runtime.ts';
import type { GrantsBackend } from './grants-backend.ts';
import { localBackend } from './local-backend.ts';

/**
 * The local back end of the `grants` commands: the grants service on the database, revocations
 * audited with the CLI's actor.
 *
 * @example
 * await localGrants(io).list('alice');
 */
export function localGrants(io: Io): GrantsBackend {
  const { onDatabase, change } = localBackend(io);
  return {
    list: (idOrUsername) =>
      onDatabase(async (s, db) =>
        (await s.createGrantsService(db).listForUser(idOrUsername)).map(grantJson),
      ),
    revoke: (target) =>
      onDatabase((s, db) => s.createGrantsService(db).revokeAsOperator(target, change())),
  };
}
