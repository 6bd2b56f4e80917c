import {
  createClientsRepository,
  createGrantsRepository,
  createResourcesRepository,
  createUsersRepository,
  type Database,
  type GrantRecord,
} from '@portcullis/storage';
import { OIDC_SCOPE_DESCRIPTIONS } from '../domain/oidc-scopes.ts';
import { AuthServerError } from '../errors.ts';

/** A grant as people read it: the app's name and each scope with its description. */
export interface GrantSummary extends GrantRecord {
  clientName: string;
  scopes: Array<{ name: string; description: string; resource?: string }>;
}

/** Listing and revoking users' grants, for the CLI and the account page. */
export function createGrantsService(db: Database) {
  const grants = createGrantsRepository(db);
  const clients = createClientsRepository(db);
  const resources = createResourcesRepository(db);
  const users = createUsersRepository(db);

  const describe = async (grant: GrantRecord): Promise<GrantSummary> => {
    const client = await clients.findById(grant.clientId);
    const scopes: GrantSummary['scopes'] = grant.openidScope
      .split(' ')
      .filter(Boolean)
      .map((name) => ({ name, description: OIDC_SCOPE_DESCRIPTIONS[name] ?? name }));
    for (const [identifier, scope] of Object.entries(grant.resources)) {
      const resource = await resources.find(identifier);
      for (const name of scope.split(' ').filter(Boolean)) {
        const described = resource?.scopes.find((s) => s.name === name)?.description;
        scopes.push({
          name,
          description: described ?? name,
          resource: resource?.name ?? identifier,
        });
      }
    }
    return { ...grant, clientName: client?.name ?? grant.clientId, scopes };
  };

  // One after another: inside a transaction all queries share one connection, which runs one
  // query at a time (pg warns about, and will refuse, queries queued on a busy client).
  const describeAll = async (list: Awaited<ReturnType<typeof grants.listByAccount>>) => {
    const described: GrantSummary[] = [];
    for (const grant of list) described.push(await describe(grant));
    return described;
  };

  const mustFindUser = async (idOrUsername: string) => {
    const user = (await users.findById(idOrUsername)) ?? (await users.findByUsername(idOrUsername));
    if (!user)
      throw new AuthServerError('not_found', `no user with id or username "${idOrUsername}"`);
    return user;
  };

  return {
    /** The grants of a user (by id or username), described. */
    async listForUser(idOrUsername: string): Promise<GrantSummary[]> {
      const user = await mustFindUser(idOrUsername);
      return describeAll(await grants.listByAccount(user.id));
    },

    /** The grants of an account id (the signed-in user), described. */
    async listForAccount(accountId: string): Promise<GrantSummary[]> {
      return describeAll(await grants.listByAccount(accountId));
    },

    /** Revokes one grant and everything issued from it; `not_found` when there is none. */
    async revoke(grantId: string, accountId?: string): Promise<void> {
      if (!(await grants.revoke(grantId, accountId))) {
        throw new AuthServerError(
          'not_found',
          `no grant "${grantId}"${accountId ? ' of this user' : ''}`,
        );
      }
    },

    /** Revokes every grant a user gave (optionally only to one client); returns how many. */
    async revokeForUser(idOrUsername: string, clientId?: string): Promise<number> {
      const user = await mustFindUser(idOrUsername);
      let count = 0;
      for (const grant of await grants.listByAccount(user.id)) {
        if (clientId !== undefined && grant.clientId !== clientId) continue;
        if (await grants.revoke(grant.grantId)) count += 1;
      }
      return count;
    },
  };
}

/** The service {@link createGrantsService} returns. */
export type GrantsService = ReturnType<typeof createGrantsService>;
