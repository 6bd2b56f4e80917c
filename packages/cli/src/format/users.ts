import type { PublicUser } from '@portcullis/auth-server';

/** A user in the CLI's JSON shape (OpenID Connect claim names). */
export function userJson(user: PublicUser) {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    email_verified: user.emailVerified,
    name: user.name,
    disabled: user.disabledAt !== null,
    created_at: user.createdAt.toISOString(),
  };
}
