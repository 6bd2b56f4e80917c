import {
  createAuditRepository,
  createFactorsRepository,
  createUsersRepository,
  type Database,
  type UserRecord,
} from '@portcullis/storage';
import { AuthServerError } from '../errors.ts';
import { actorOf, type ChangeOptions } from './change-options.ts';
import { factorStatus, type MfaStatus } from './mfa-service.ts';

/** What `users mfa show` prints: the user and their second factors (never a secret). */
export interface UserFactors extends MfaStatus {
  userId: string;
  username: string;
}

/**
 * The operator's side of second factors (`portcullis users mfa show|reset`): reading a user's
 * factors and removing them all, audited as `mfa.reset` in the same transaction. Needs no
 * key-encryption key: nothing here reads a seed.
 *
 * @example
 * await createUserFactorsService(db).reset('alice', { actor: 'cli:bob' });
 */
export function createUserFactorsService(db: Database) {
  const mustFindUser = async (idOrUsername: string): Promise<UserRecord> => {
    const users = createUsersRepository(db);
    const found =
      (await users.findById(idOrUsername)) ?? (await users.findByUsername(idOrUsername.trim()));
    if (!found) {
      throw new AuthServerError('not_found', `no user with id or username "${idOrUsername}"`);
    }
    return found;
  };

  return {
    /** The user's factors and recovery codes left; `not_found` for an unknown user. */
    async show(idOrUsername: string): Promise<UserFactors> {
      const user = await mustFindUser(idOrUsername);
      return { userId: user.id, username: user.username, ...(await factorStatus(db, user.id)) };
    },

    /**
     * Removes every factor and recovery code of the user, who then signs in with the password
     * alone (or sets up an app again where one is required), and ends the user's sessions.
     */
    async reset(
      idOrUsername: string,
      options: ChangeOptions = {},
    ): Promise<{
      userId: string;
      username: string;
      factorsRemoved: number;
      sessionsEnded: number;
    }> {
      const user = await mustFindUser(idOrUsername);
      return db.transaction(async (trx) => {
        const removed = await createFactorsRepository(trx).removeAll(user.id);
        // Whoever holds the lost device may be signed in: every session ends (and its apps are
        // told, by back-channel logout), so the next sign-in meets the factors as they are now.
        const sessionsEnded = await createUsersRepository(trx).endSignIns(user.id, {
          refreshTokens: false,
        });
        await createAuditRepository(trx).record({
          type: 'mfa.reset',
          actor: actorOf(options),
          subject: user.id,
          details: {
            username: user.username,
            factors_removed: removed,
            sessions_ended: sessionsEnded,
          },
        });
        return { userId: user.id, username: user.username, factorsRemoved: removed, sessionsEnded };
      });
    },
  };
}

/** The service {@link createUserFactorsService} returns. */
export type UserFactorsService = ReturnType<typeof createUserFactorsService>;
