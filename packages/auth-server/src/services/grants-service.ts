import {
  createAuditRepository,
  createClientsRepository,
  createGrantsRepository,
  createResourcesRepository,
  createUsersRepository,
  type Database,
  type GrantPageQuery,
  type GrantRecord,
} from '@portcullis/storage';
import { OIDC_SCOPE_DESCRIPTIONS } from '../domain/oidc-scopes.ts';
import { AuthServerError } from '../errors.ts';
import { actorOf, type ChangeOptions } from './change-options.ts';

/** A grant as people read it: the app's name and each scope with its description. */
export interface GrantSummary extends GrantRecord {
  clientName: string;
  scopes: Array<{ name: string; description: string; resource?: string }>;
}

/** A grant of a page across users: described, with its user's id and (if asked for) username. */
export interface GrantListItem extends GrantSummary {
  username: string | null;
}

/** What an operator revokes: one grant, or a user's grants (only those to `client` if given). */
export type GrantRevokeTarget = { grant: string } | { user: string; client?: string };

/**
 * Listing and revoking users' grants, for the CLI and the account page.
 *
 * @example
 * const grants = createGrantsService(db);
 * await grants.revokeAsOperator({ user: 'alice' }, { actor: 'cli:bob' }); // how many were revoked
 */
export function createGrantsService(db: Database) {
  const operations = grantOperations(db);
  return {
    listForUser: operations.listForUser,
    listForAccount: operations.listForAccount,
    listPage: operations.listPage,
    listPageForUser: operations.listPageForUser,
    // The account page's: a user removing their own grant, which the page records itself.
    revoke: operations.revoke,

    /**
     * An operator's revocation (`grants revoke`): the grant, or the user's grants, and everything
     * issued from them, each with its `consent.revoked` event (`via`: `cli`, or `admin_api` for
     * the admin API) naming the client and the user, all in one transaction. Returns how many
     * grants were revoked; `not_found` for an unknown grant or user.
     */
    async revokeAsOperator(
      target: GrantRevokeTarget,
      options: ChangeOptions & { via?: 'cli' | 'admin_api' } = {},
    ): Promise<number> {
      return db.transaction(async (trx) => {
        const grants = grantOperations(trx);
        const audit = createAuditRepository(trx);
        // consent.revoked names the client and the user, so read the grants before they go.
        const recordRevoked = (grant: { grantId: string; clientId?: string; accountId?: string }) =>
          audit.record({
            type: 'consent.revoked',
            actor: actorOf(options),
            clientId: grant.clientId ?? null,
            subject: grant.accountId ?? null,
            details: { grant_id: grant.grantId, via: options.via ?? 'cli' },
          });
        if ('grant' in target) {
          const grant = await createGrantsRepository(trx).find(target.grant);
          await grants.revoke(target.grant);
          await recordRevoked(grant ?? { grantId: target.grant });
          return 1;
        }
        const before = await grants.listForUser(target.user);
        const count = await grants.revokeForUser(target.user, target.client);
        for (const grant of before) {
          if (target.client === undefined || grant.clientId === target.client) {
            await recordRevoked(grant);
          }
        }
        return count;
      });
    },
  };
}

/** The service {@link createGrantsService} returns. */
export type GrantsService = ReturnType<typeof createGrantsService>;

// What the service does on the database, without the audit trail.
function grantOperations(db: Database) {
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
  const describeAll = async <T extends GrantRecord>(list: readonly T[]) => {
    const described: Array<T & GrantSummary> = [];
    for (const grant of list) described.push({ ...grant, ...(await describe(grant)) });
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

    /**
     * A page of live grants across users, the newest first, described (see the grants
     * repository's listPage: filters, keyset cursor, usernames only when asked for).
     */
    async listPage(page: GrantPageQuery): Promise<GrantListItem[]> {
      return describeAll(await grants.listPage(page));
    },

    /** A page of a user's grants (by id or username), described; `not_found` for no such user. */
    async listPageForUser(
      idOrUsername: string,
      page: Omit<GrantPageQuery, 'user' | 'usernames'>,
    ): Promise<GrantListItem[]> {
      const user = await mustFindUser(idOrUsername);
      return describeAll(await grants.listPage({ ...page, user: user.id }));
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
