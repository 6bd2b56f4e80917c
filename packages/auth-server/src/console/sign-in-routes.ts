import type Koa from 'koa';
import { ADMIN_SCOPES } from '../domain/admin-api.ts';
import { CONSOLE_ROLE, CONSOLE_SIGNED_OUT_PATH } from '../domain/admin-console.ts';
import type { Logger } from '../observability/logger.ts';
import { render } from '../routes/respond.ts';
import type { RouteContext, RouteHandler } from '../routes/route.ts';
import type { AdminApiClient } from './admin-api-client.ts';
import { CONSOLE_HEADERS, type ConsoleCookies, type SignedIn } from './console-request.ts';
import type { ConsoleSessions } from './console-sessions.ts';
import type { ConsoleSignIn } from './console-sign-in.ts';
import { consoleMessage } from './views/console-layout.ts';

const ADMIN_SCOPE_NAMES: readonly string[] = ADMIN_SCOPES.map((s) => s.name);

// A console path to come back to after signing in: ours only (no open redirect), else the start.
const CONSOLE_RETURN =
  /^\/admin(?:\/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*)?(?:\?[A-Za-z0-9._~%!$&'()*+,;=:@/?-]*)?$/;
function safeReturn(value: unknown): string {
  return typeof value === 'string' && CONSOLE_RETURN.test(value) && !value.startsWith('/admin/v1')
    ? value
    : '/admin/clients';
}

/** What {@link signInRoutes} needs. */
export interface SignInRoutesDeps {
  sessions: ConsoleSessions;
  signIn: ConsoleSignIn;
  api: AdminApiClient;
  cookies: ConsoleCookies;
  logger: Logger;
}

/**
 * The console's sign-in and sign-out: `GET /admin/sign-in` sends the browser to the authorization
 * endpoint (its checks kept server-side under a cookie's random id), `GET /admin/callback`
 * redeems the code on the server and starts the session, or says clearly why not (no admin
 * role: 403), and sign-out (a POST behind the CSRF check) ends it and the Portcullis session.
 *
 * @example
 * const { begin, callback, signOut } = signInRoutes(deps);
 */
export function signInRoutes(deps: SignInRoutesDeps) {
  const { sessions, signIn, cookies } = deps;

  const unreachable = (ctx: Koa.Context, error: unknown) => {
    deps.logger.warn('console: the sign-in could not reach the issuer', { error: String(error) });
    render(
      ctx,
      502,
      consoleMessage({
        title: 'Sign-in unavailable',
        message: 'The console could not reach its authorization server on the issuer URL.',
        hint: 'Try again in a moment; if it lasts, check that the server reaches its own issuer URL.',
      }),
    );
  };

  const begin: RouteHandler = async (ctx) => {
    ctx.set(CONSOLE_HEADERS);
    try {
      const { url, pending } = await signIn.begin(safeReturn(ctx.query.return));
      const id = await sessions.begin(pending);
      ctx.cookies.set(cookies.signIn, id, { ...cookies.options, maxAge: 600_000 });
      ctx.redirect(url.href);
      ctx.status = 303;
    } catch (error) {
      unreachable(ctx, error);
    }
  };

  const again = { href: '/admin/sign-in', label: 'Sign in again' };

  const callback: RouteHandler = async (ctx: RouteContext) => {
    ctx.set(CONSOLE_HEADERS);
    const pending = await sessions.take(ctx.cookies.get(cookies.signIn));
    ctx.cookies.set(cookies.signIn, '', { ...cookies.options, maxAge: 0 });
    if (!pending) {
      return render(
        ctx,
        400,
        consoleMessage({
          title: 'Sign-in not recognised',
          message: 'This sign-in was not started here, took too long, or was already used.',
          link: again,
        }),
      );
    }
    let outcome: Awaited<ReturnType<ConsoleSignIn['complete']>>;
    try {
      outcome = await signIn.complete(ctx.querystring, pending);
    } catch (error) {
      return unreachable(ctx, error);
    }
    if (!outcome.ok) {
      deps.logger.info('console: sign-in failed', {
        reason: outcome.reason,
        detail: outcome.detail,
      });
      return render(
        ctx,
        outcome.reason === 'refused' ? 403 : 400,
        consoleMessage({ title: 'Sign-in failed', message: outcome.detail, link: again }),
      );
    }
    const { session } = outcome;
    if (!session.scopes.some((s) => ADMIN_SCOPE_NAMES.includes(s))) {
      if (session.refreshToken) await signIn.revoke(session.refreshToken).catch(() => undefined);
      const endSession = await signIn.endSessionUrl(session.idToken).catch(() => undefined);
      return render(
        ctx,
        403,
        consoleMessage({
          title: 'No access to the console',
          message:
            'You are signed in, but your account holds no role with an admin scope, so the console cannot act for you.',
          hint: `An operator can give you the role with: portcullis users add-role <your username> ${CONSOLE_ROLE}`,
          ...(endSession
            ? { link: { href: endSession.href, label: 'Sign out, to sign in as someone else' } }
            : {}),
        }),
      );
    }
    const username = await usernameOf(deps.api, session);
    const id = await sessions.start({ ...session, ...(username ? { username } : {}) });
    ctx.cookies.set(cookies.session, id, cookies.options);
    ctx.redirect(outcome.returnTo);
    ctx.status = 303;
  };

  const signOut = async (ctx: RouteContext, signed: SignedIn) => {
    await sessions.end(signed.id);
    // Nothing issued to this session outlives it: its refresh token and the grant's tokens.
    const { refreshToken } = signed.session;
    if (refreshToken) {
      await signIn.revoke(refreshToken).catch((error: unknown) => {
        deps.logger.warn("console: could not revoke a signed-out session's refresh token", {
          error: String(error),
        });
      });
    }
    ctx.cookies.set(cookies.session, '', { ...cookies.options, maxAge: 0 });
    const endSession = await signIn.endSessionUrl(signed.session.idToken).catch(() => undefined);
    ctx.redirect(endSession?.href ?? CONSOLE_SIGNED_OUT_PATH);
    ctx.status = 303;
  };

  // Where Portcullis's sign-out sends the browser back (the client's post_logout_redirect_uri).
  const signedOut: RouteHandler = (ctx) => {
    ctx.set(CONSOLE_HEADERS);
    render(
      ctx,
      200,
      consoleMessage({
        title: 'You are signed out',
        message: 'You are signed out of the console and of Portcullis.',
        link: { href: '/admin/sign-in', label: 'Sign in' },
      }),
    );
  };

  return { begin, callback, signOut, signedOut };
}

// The operator's username for the header, read through the API when the token may read users.
async function usernameOf(
  api: AdminApiClient,
  session: { accessToken: string; scopes: string[]; subject: string },
) {
  if (!session.scopes.includes('admin:users') || !session.subject) return undefined;
  try {
    const answer = await api.call<{ username?: string }>(session.accessToken, {
      path: `/users/${encodeURIComponent(session.subject)}`,
    });
    return answer.status === 200 ? answer.body.username : undefined;
  } catch {
    return undefined;
  }
}
