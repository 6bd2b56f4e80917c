import type { PublicUser } from '../services/users-service.ts';
import { artifactReads } from './artifact-reads.ts';

/** What {@link rememberFactors} reads users with. */
interface UsersWithFactor {
  authenticateWithFactor(
    username: string,
    password: string,
  ): Promise<{ user: PublicUser; hasFactor: boolean } | undefined>;
  findByIdWithFactor(id: string): Promise<{ user: PublicUser; hasFactor: boolean } | undefined>;
}

// Kept with the request's artifact reads (artifact-reads.ts), under a name no model has.
const FACTORS = 'User\u0001factor';

/**
 * A sign-in reads the user (the login form's `authenticate`, oidc-provider's `findAccount`) and
 * then asks whether they have a second factor (the login prompt's check, mfa-policy.ts): both
 * come from one statement, and the answer is kept for the rest of the request only (another
 * request, or another replica, reads the database again). `hasFactor` answers from it when this
 * request read the user, and asks `fallback` otherwise.
 *
 * @example
 * const signInUsers = rememberFactors(users);
 * createMfaRequirement({ policy, clients, hasFactor: signInUsers.hasFactor(mfa.hasFactor) });
 */
export function rememberFactors<Users extends UsersWithFactor>(users: Users) {
  const remember = (found: { user: PublicUser; hasFactor: boolean } | undefined) => {
    if (found) artifactReads(FACTORS)?.set(found.user.id, { hasFactor: found.hasFactor });
    return found?.user;
  };
  return {
    ...users,
    async authenticate(username: string, password: string): Promise<PublicUser | undefined> {
      return remember(await users.authenticateWithFactor(username, password));
    },
    async findById(id: string): Promise<PublicUser | undefined> {
      return remember(await users.findByIdWithFactor(id));
    },
    hasFactor(fallback: (userId: string) => Promise<boolean>) {
      return async (userId: string): Promise<boolean> => {
        const known = artifactReads(FACTORS)?.get(userId);
        return known ? known.hasFactor === true : fallback(userId);
      };
    },
  };
}
