import { randomBytes } from 'node:crypto';
import type Koa from 'koa';

const CSRF_COOKIE = 'portcullis.csrf';

/**
 * The CSRF binding of the /account pages (and the password-reset and verification pages under
 * it): a random per-browser value in an httpOnly, SameSite=Strict cookie, set on first sight;
 * their forms carry its HMAC (forms/csrf.ts).
 *
 * @example
 * const token = csrf.token(accountCsrfBinding(ctx));
 */
export function accountCsrfBinding(ctx: Koa.Context): string {
  const existing = ctx.cookies.get(CSRF_COOKIE);
  if (existing && /^[A-Za-z0-9_-]{32}$/.test(existing)) return existing;
  const value = randomBytes(24).toString('base64url');
  ctx.cookies.set(CSRF_COOKIE, value, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/account',
    secure: ctx.secure,
  });
  return value;
}
