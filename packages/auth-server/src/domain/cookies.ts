/**
 * The attributes of oidc-provider's cookies (its `cookies.long` and `cookies.short`): signed,
 * httpOnly, SameSite=Lax, and `Secure` whenever the issuer is https. No path: oidc-provider gives
 * some cookies their own (an interaction's is scoped to its page).
 *
 * @example
 * cookieOptions('https://auth.example.com');
 * // { signed: true, httpOnly: true, sameSite: 'lax', secure: true }
 */
export function cookieOptions(issuer: string) {
  return {
    signed: true,
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: issuer.startsWith('https:'),
  };
}

/**
 * The attributes of the session cookie as the account page sets and clears it: oidc-provider's
 * own session cookie, so the same attributes as {@link cookieOptions}, at path `/`.
 *
 * @example
 * ctx.cookies.set(provider.cookieName('session'), sessionId, sessionCookieOptions(issuer));
 */
export function sessionCookieOptions(issuer: string) {
  return { ...cookieOptions(issuer), path: '/' };
}
