import {
  createAuditRepository,
  createIdentityProvidersRepository,
  createUsersRepository,
  type Database,
} from '@portcullis/storage';
import { AuthServerError } from '../../errors.ts';
import { hasPassword } from '../../secrets/password.ts';
import { fromStorage } from '../from-storage.ts';
import type { PublicIdentityProvider, UpstreamAccount } from './identity-providers-service.ts';

/** A provider the user's account is linked to, as /account lists it. */
export interface LinkedProvider {
  id: string;
  name: string;
  linkedAt: Date;
}

/** Who acts, for the audit trail: the signed-in user's browser. */
interface From {
  address: string;
}

/**
 * The user's own side of identity providers, on /account: the providers their account is linked
 * to, linking another (after a trip to it proved the upstream account is theirs), and unlinking
 * one, refused when it is the user's last way to sign in (no password, no other provider). Each
 * change is audited in its transaction: `idp.linked` (by `account`), `idp.unlinked`.
 *
 * @example
 * const links = createAccountLinksService(db);
 * await links.unlink('acme', user.id, { address: ctx.ip });
 */
export function createAccountLinksService(db: Database) {
  return {
    /** The providers the user is linked to, oldest link first. */
    async linksOf(userId: string): Promise<LinkedProvider[]> {
      const repository = createIdentityProvidersRepository(db);
      const names = new Map((await repository.list()).map((p) => [p.id, p.name]));
      return (await repository.linksOfUser(userId)).flatMap((link) => {
        const name = names.get(link.providerId);
        return name === undefined ? [] : [{ id: link.providerId, name, linkedAt: link.createdAt }];
      });
    },

    /**
     * Links the upstream account to the user. `conflict` when that upstream account is another
     * user's already, or the user has an account of this provider linked already.
     */
    async link(
      provider: PublicIdentityProvider,
      account: UpstreamAccount,
      userId: string,
      from: From,
    ): Promise<void> {
      await db.transaction(async (trx) => {
        try {
          await createIdentityProvidersRepository(trx).link(provider.id, account.sub, userId);
        } catch (error) {
          throw fromStorage(error);
        }
        await createAuditRepository(trx).record({
          type: 'idp.linked',
          actor: `user:${userId}`,
          subject: userId,
          address: from.address,
          details: {
            idp: provider.id,
            name: provider.name,
            upstream_sub: account.sub,
            by: 'account',
          },
        });
      });
    },

    /**
     * Removes the user's link to the provider. `not_found` when there is none; `invalid_input`
     * when it is the user's last way to sign in: no password and no other provider (the check
     * and the removal hold the user's row, so two removals at once cannot both pass it).
     */
    async unlink(providerId: string, userId: string, from: From): Promise<void> {
      await db.transaction(async (trx) => {
        const user = await createUsersRepository(trx).lockForUpdate(userId);
        const repository = createIdentityProvidersRepository(trx);
        const links = user ? await repository.linksOfUser(userId) : [];
        const link = links.find((l) => l.providerId === providerId);
        if (!user || !link) {
          throw new AuthServerError('not_found', 'the account is not linked to this provider');
        }
        if (links.length === 1 && !hasPassword(user.passwordHash)) {
          throw new AuthServerError(
            'invalid_input',
            'this provider is the only way to sign in to the account: set a password first',
          );
        }
        await repository.unlink(providerId, userId);
        const provider = await repository.find(providerId);
        await createAuditRepository(trx).record({
          type: 'idp.unlinked',
          actor: `user:${userId}`,
          subject: userId,
          address: from.address,
          details: {
            idp: providerId,
            name: provider?.name ?? null,
            upstream_sub: link.upstreamSub,
          },
        });
      });
    },
  };
}

/** The service {@link createAccountLinksService} returns. */
export type AccountLinksService = ReturnType<typeof createAccountLinksService>;
