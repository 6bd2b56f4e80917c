import type { Account, KoaContextWithOIDC } from 'oidc-provider';
import type { PublicUser } from '../services/users-service.ts';

/**
 * Which claims each OpenID scope releases. `openid` releases how the user signed in too (`acr`
 * and `amr`, in every ID token); `auth_time` and `sid` are released when asked for, as
 * oidc-provider has them by default.
 */
export const CLAIMS = {
  auth_time: null,
  sid: null,
  openid: ['sub', 'acr', 'amr'],
  profile: ['name', 'preferred_username'],
  email: ['email', 'email_verified'],
};

/**
 * oidc-provider's `findAccount`: a user from the database, or undefined when the user is gone
 * or disabled — which makes every grant of a disabled user stop working (refresh, userinfo).
 */
export function createFindAccount(users: {
  findById(id: string): Promise<PublicUser | undefined>;
}) {
  return async (_ctx: KoaContextWithOIDC, sub: string): Promise<Account | undefined> => {
    const user = await users.findById(sub);
    if (!user || user.disabledAt) return undefined;
    return {
      accountId: user.id,
      async claims() {
        return {
          sub: user.id,
          preferred_username: user.username,
          ...(user.name ? { name: user.name } : {}),
          ...(user.email ? { email: user.email, email_verified: user.emailVerified } : {}),
        };
      },
    };
  };
}
