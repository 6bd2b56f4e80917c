import type Koa from 'koa';
import { ADMIN_SCOPES } from '../domain/admin-api.ts';
import type { Logger } from '../observability/logger.ts';
import type { Csrf } from '../routes/forms/csrf.ts';
import { FormError, readForm } from '../routes/forms/read-form.ts';
import { render } from '../routes/respond.ts';
import type { RouteContext, RouteHandler } from '../routes/route.ts';
import { PAGE_HEADERS } from '../views/html.ts';
import {
  type AdminApiClient,
  type ApiAnswer,
  type ApiProblem,
  type ApiRequest,
  ApiUnreachable,
} from './admin-api-client.ts';
import type { ConsoleSession, ConsoleSessions } from './console-sessions.ts';
import type { ConsoleSignIn } from './console-sign-in.ts';
import { consoleMessage, type Operator } from './views/console-layout.ts';

/**
 * The console's pages' policy: nothing but our stylesheet, no script at all (every page is a
 * server-rendered form), forms posting only to this origin, never framed.
 */
const CONSOLE_POLICY =
  "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** Headers every console answer carries: the pages' own, with the console's policy. */
export const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  ...PAGE_HEADERS,
  'content-security-policy': CONSOLE_POLICY,
};

/** The console's cookies and their attributes, by the issuer's scheme. */
export function consoleCookies(issuer: string) {
  const secure = issuer.startsWith('https:');
  // `__Host-` (RFC 6265bis): Secure, no Domain and Path=/ are then required by browsers, so no
  // other host or path of the site can set or shadow it. On plain http (loopback development)
  // the prefix is not allowed; the cookie is then kept to /admin.
  const prefix = secure ? '__Host-' : '';
  const options = {
    httpOnly: true,
    // Lax, not Strict: a link to a console page from elsewhere would otherwise arrive without
    // the session and start a sign-in, whose redirect chain (cross-site at its start) would
    // again arrive without it. Every POST also needs its CSRF token.
    sameSite: 'lax' as const,
    secure,
    path: secure ? '/' : '/admin',
    signed: false,
    overwrite: true,
  };
  return {
    session: `${prefix}portcullis-console`,
    signIn: `${prefix}portcullis-console-sign-in`,
    options,
  };
}

/** The console's cookies (what {@link consoleCookies} returns). */
export type ConsoleCookies = ReturnType<typeof consoleCookies>;

/** The signed-in operator's request, as a console page handler gets it. */
export interface SignedIn {
  /** The session's id (the cookie's value). */
  id: string;
  session: ConsoleSession;
  operator: Operator;
  /** A POST's form fields (the CSRF token already checked); empty for a GET. */
  form: Readonly<Record<string, string>>;
  /** One call of the admin API with the operator's token; a 401 signs the operator out. */
  api<T = unknown>(request: ApiRequest): Promise<ApiAnswer<T>>;
}

/** What {@link consoleRequests} needs. */
export interface ConsoleRequestDeps {
  sessions: ConsoleSessions;
  api: AdminApiClient;
  csrf: Csrf;
  cookies: ConsoleCookies;
  logger: Logger;
  /** Renews a session's access token with its refresh token. */
  signIn: Pick<ConsoleSignIn, 'refresh' | 'revoke'>;
}

/** Options of one console page: where the form a POST comes from is shown. */
export interface PageOptions {
  /**
   * The path of the page whose form sends this POST, for signing in again after the session
   * ended; default: the POST's path without its last segment (`/admin/clients/x/disable` →
   * `/admin/clients/x`).
   */
  formPage?: (ctx: RouteContext) => string;
}

// The admin API refused the token (expired, or its key rotated away): sign in again.
class SessionOver extends Error {}

/**
 * A session's access token is renewed once it has less than this left: a page's calls of the
 * admin API never carry a token about to expire.
 */
const RENEW_BEFORE_SECONDS = 60;

const ADMIN_SCOPE_NAMES: readonly string[] = ADMIN_SCOPES.map((s) => s.name);

/** The CSRF binding of a console session: its id, under a name no other form uses. */
const binding = (id: string) => `console:${id}`;

const parentPath = (ctx: RouteContext) => ctx.path.replace(/\/[^/]*$/, '') || '/admin';

/**
 * Where a signed-out request goes. A GET: to the sign-in, then back to the page asked for. A
 * POST: a page that says the session ended and that what was sent was not saved, with a link to
 * sign in and come back to the form's page. The POST is never replayed after signing in: its
 * CSRF token was the ended session's, and a change must be the operator's fresh decision.
 */
function signedOut(ctx: RouteContext, options: PageOptions): void {
  if (ctx.method === 'GET' || ctx.method === 'HEAD') {
    ctx.redirect(`/admin/sign-in?return=${encodeURIComponent(ctx.originalUrl)}`);
    ctx.status = 303;
    return;
  }
  const formPage = (options.formPage ?? parentPath)(ctx);
  render(
    ctx,
    403,
    consoleMessage({
      title: 'Your session has ended',
      message:
        'You were signed out (after a while without activity, at the end of the session, or because your access was withdrawn) before this form arrived: nothing was changed.',
      hint: 'Sign in again, then send the form again: what you had typed was not kept.',
      link: {
        href: `/admin/sign-in?return=${encodeURIComponent(formPage)}`,
        label: 'Sign in again',
      },
    }),
  );
}

/**
 * The boundary of every console page but the sign-in's own: the console's headers, the
 * server-side session (signed out: {@link signedOut}; its access token renewed shortly before it
 * expires, and the session ended when the refresh is refused; its idle timeout started again), a
 * POST's form and its CSRF token (bound to the session), and the answers to what goes wrong: a
 * bad form (its status), an unreachable API (502), anything else (500, the stack in the log
 * only). Never a token in a page or a URL.
 *
 * @example
 * const page = consoleRequests(deps);
 * const showClients = page(async (ctx, signed) => { ... });
 */
export function consoleRequests(deps: ConsoleRequestDeps) {
  const { sessions, cookies } = deps;
  const current = renewal(deps);
  return (
    handler: (ctx: RouteContext, signed: SignedIn) => Promise<void>,
    options: PageOptions = {},
  ): RouteHandler =>
    async (ctx) => {
      ctx.set(CONSOLE_HEADERS);
      const id = ctx.cookies.get(cookies.session);
      const ended = async () => {
        if (id) {
          await sessions.end(id);
          ctx.cookies.set(cookies.session, '', { ...cookies.options, maxAge: 0 });
        }
        signedOut(ctx, options);
      };
      try {
        const found = id ? await sessions.find(id) : undefined;
        const session = found && id ? await current(id, found) : undefined;
        if (!session || !id) return await ended();
        let form: Record<string, string> = {};
        if (ctx.method === 'POST') {
          form = await readForm(ctx);
          if (!deps.csrf.verify(binding(id), form.csrf)) {
            return render(
              ctx,
              403,
              consoleMessage({
                title: 'Form refused',
                message:
                  'This form is out of date or did not come from the console: nothing was changed.',
                link: { href: '/admin', label: 'Back to the console' },
              }),
            );
          }
        }
        if (session === found && !(await sessions.touch(id, session))) return await ended();
        const operator: Operator = {
          name: session.username ?? session.subject,
          scopes: session.scopes,
          csrf: deps.csrf.token(binding(id)),
        };
        const api = async <T>(request: ApiRequest) => {
          const answer = await deps.api.call<T>(session.accessToken, request);
          if (answer.status === 401) throw new SessionOver();
          return answer;
        };
        await handler(ctx, { id, session, operator, form, api });
      } catch (error) {
        if (error instanceof SessionOver) return ended();
        if (error instanceof FormError) {
          return render(
            ctx,
            error.status,
            consoleMessage({ title: 'Form refused', message: error.message }),
          );
        }
        if (error instanceof ApiUnreachable) {
          deps.logger.warn('console: the admin API did not answer', { error: error.message });
          return render(
            ctx,
            502,
            consoleMessage({
              title: 'The admin API did not answer',
              message:
                'The console could not reach the admin API on its issuer URL: nothing was changed.',
              hint: 'Try again in a moment; if it lasts, check that the server reaches its own issuer URL.',
            }),
          );
        }
        deps.logger.error('console page failed', {
          error: error instanceof Error ? error.stack : String(error),
        });
        return render(
          ctx,
          500,
          consoleMessage({
            title: 'Something went wrong',
            message: 'The page failed: see the server log.',
          }),
        );
      }
    };
}

/** A console page's handler, given the signed-in operator's request. */
export type ConsolePage = (ctx: RouteContext, signed: SignedIn) => Promise<void>;

/**
 * `page` for operators whose token holds `scope`; others get a 403 page naming the scope (the
 * admin API would refuse them too, but a form they cannot send should not even be shown).
 *
 * @example
 * const writer = needsScope('admin:write', 'Changing clients', { href: '/admin/clients', label: 'Back to the clients' });
 * const create = writer(async (ctx, signed) => { ... });
 */
export function needsScope(scope: string, what: string, back: { href: string; label: string }) {
  return (page: ConsolePage): ConsolePage =>
    async (ctx, signed) => {
      if (signed.operator.scopes.includes(scope)) return page(ctx, signed);
      render(
        ctx,
        403,
        consoleMessage({
          title: 'Not allowed',
          message: `${what} needs the ${scope} scope, which your roles do not give you.`,
          link: back,
          operator: signed.operator,
        }),
      );
    };
}

/**
 * The notice a page's `done` query names, from the page's own fixed sentences (never text from
 * the URL); nothing for an unknown name, including an object's own keys such as `constructor`.
 *
 * @example
 * const notice = doneNotice(ctx, { created: 'User created.' });
 */
export function doneNotice(
  ctx: Koa.Context,
  notices: Readonly<Record<string, string>>,
): string | undefined {
  const { done } = ctx.query;
  return typeof done === 'string' && Object.hasOwn(notices, done) ? notices[done] : undefined;
}

/**
 * Answers a POST that changed something with 303 to the page that shows the result
 * (POST/redirect/GET: reloading that page repeats nothing).
 *
 * @example
 * seeOther(ctx, '/admin/users/u1?done=created');
 */
export function seeOther(ctx: Koa.Context, location: string): void {
  ctx.redirect(location);
  ctx.status = 303;
}

/**
 * A session as the next request must use it: as it is while its access token has more than
 * {@link RENEW_BEFORE_SECONDS} left; else renewed with its refresh token (once per session at a
 * time in this process; a replica that lost the race to the same refresh token takes the
 * winner's); undefined when the server refused the refresh (a revoked grant, a disabled user) or
 * the operator's roles no longer give any admin scope: the session is over.
 */
function renewal(deps: ConsoleRequestDeps) {
  const { sessions, logger } = deps;
  const renewing = new Map<string, Promise<ConsoleSession | undefined>>();
  const now = () => Date.now() / 1000;

  const renew = async (id: string, session: ConsoleSession, refreshToken: string) => {
    let outcome: Awaited<ReturnType<ConsoleRequestDeps['signIn']['refresh']>>;
    try {
      outcome = await deps.signIn.refresh(refreshToken);
    } catch (error) {
      // The issuer did not answer: the token in hand serves while it lasts.
      logger.warn('console: could not renew a session', { error: String(error) });
      if (session.expiresAt > now()) return session;
      throw new ApiUnreachable('the token endpoint did not answer');
    }
    if (!outcome.ok) {
      const again = await sessions.find(id);
      if (again && again.refreshToken !== refreshToken) return again;
      logger.info('console: a session ended: its refresh was refused', { detail: outcome.detail });
      return undefined;
    }
    if (!outcome.tokens.scopes.some((scope) => ADMIN_SCOPE_NAMES.includes(scope))) {
      logger.info('console: a session ended: no admin scope left', { subject: session.subject });
      if (outcome.tokens.refreshToken) {
        await deps.signIn.revoke(outcome.tokens.refreshToken).catch(() => undefined);
      }
      return undefined;
    }
    const renewed: ConsoleSession = { ...session, ...outcome.tokens };
    await sessions.renew(id, renewed);
    return renewed;
  };

  return async (id: string, session: ConsoleSession): Promise<ConsoleSession | undefined> => {
    if (session.expiresAt - now() > RENEW_BEFORE_SECONDS) return session;
    const { refreshToken } = session;
    if (!refreshToken) return session.expiresAt > now() ? session : undefined;
    let pending = renewing.get(id);
    if (!pending) {
      pending = renew(id, session, refreshToken).finally(() => renewing.delete(id));
      renewing.set(id, pending);
    }
    return pending;
  };
}

/** The problem details of an answer that is not a success (or an empty problem). */
export const problemOf = (answer: ApiAnswer): ApiProblem =>
  answer.body && typeof answer.body === 'object' ? (answer.body as ApiProblem) : {};

const REFUSALS: Readonly<Record<number, string>> = {
  403: 'Not allowed',
  404: 'Not found',
  409: 'Refused',
  412: 'Changed meanwhile',
  503: 'Temporarily unavailable',
};

/**
 * Answers with a page saying why the admin API refused (its problem's detail, as the CLI would
 * print it) with the API's status; a 403 names the scope the operator's roles lack.
 *
 * @example
 * if (answer.status !== 200) return refused(ctx, answer, signed.operator);
 */
export function refused(ctx: Koa.Context, answer: ApiAnswer, operator: Operator): void {
  const problem = problemOf(answer);
  const status = answer.status >= 500 && answer.status !== 503 ? 502 : answer.status;
  const hint =
    answer.status === 403
      ? 'Your roles do not give you the admin scope this needs: ask an operator for a role that holds it.'
      : answer.status === 412
        ? 'Someone changed it since you opened this page: nothing was done. Open it again to see the change.'
        : undefined;
  render(
    ctx,
    status,
    consoleMessage({
      title: REFUSALS[answer.status] ?? 'The admin API refused',
      message: problem.detail ?? problem.title ?? `The admin API answered ${answer.status}.`,
      ...(hint ? { hint } : {}),
      link: { href: '/admin', label: 'Back to the console' },
      operator,
    }),
  );
}
