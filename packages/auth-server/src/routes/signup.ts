import { SIGNUP_COMPLETE_PATH } from '../domain/account-paths.ts';
import type { SignupService } from '../services/signup-service.ts';
import { messagePage } from '../views/message-page.ts';
import { completeSignupPage } from '../views/signup-pages.ts';
import type { Csrf } from './forms/csrf.ts';
import { accountCsrfBinding } from './forms/csrf-cookie.ts';
import { readForm } from './forms/read-form.ts';
import { linkInvalid, sentence } from './password-reset.ts';
import { behindBoundary, csrfFailed, pageBoundary, render } from './respond.ts';
import type { RouteContext, RouteHandler } from './route.ts';

/** What the self-registration routes need. */
export interface SignupRoutesDeps {
  signup: SignupService;
  csrf: Csrf;
}

/** The handlers of the self-registration routes; see {@link signupRoutes}. */
export interface SignupRoutes {
  /** `GET /signup/complete/:token`: the username and password form of a usable link. */
  showComplete: RouteHandler;
  /** `POST /signup/complete/:token`: creates the account and uses the link. */
  submitComplete: RouteHandler;
  /** `GET /signup/done`: the account exists. */
  showDone: RouteHandler;
}

/**
 * Self-registration pages (PORTCULLIS_SIGNUP=invite): a mailed link's page creates the
 * account with the link's address, verified. Mounted by routes/route-table.ts only when sign-up
 * is on; otherwise these paths answer 404.
 *
 * @example
 * const routes = signupRoutes({ signup, csrf });
 */
export function signupRoutes(deps: SignupRoutesDeps): SignupRoutes {
  const { signup, csrf } = deps;
  const guarded = behindBoundary(pageBoundary());

  const completePage = (ctx: RouteContext, email: string, username?: string, error?: string) =>
    completeSignupPage({
      action: `${SIGNUP_COMPLETE_PATH}${encodeURIComponent(ctx.params.token ?? '')}`,
      csrf: csrf.token(accountCsrfBinding(ctx)),
      email,
      ...(username === undefined ? {} : { username }),
      ...(error ? { error } : {}),
    });

  const showComplete = guarded(async (ctx) => {
    const link = await signup.findLink(ctx.params.token ?? '');
    if (!link) return linkInvalid(ctx);
    render(ctx, 200, completePage(ctx, link.email));
  });

  const submitComplete = guarded(async (ctx) => {
    const form = await readForm(ctx);
    if (!csrf.verify(accountCsrfBinding(ctx), form.csrf)) return csrfFailed(ctx);
    const token = ctx.params.token ?? '';
    const link = await signup.findLink(token);
    if (!link) return linkInvalid(ctx);
    const username = (form.username ?? '').trim();
    if ((form.new_password ?? '') !== (form.confirm_password ?? '')) {
      return render(ctx, 400, completePage(ctx, link.email, username, 'The two passwords differ.'));
    }
    try {
      await signup.complete(
        token,
        { username, password: form.new_password ?? '' },
        { address: ctx.ip },
      );
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'not_found') return linkInvalid(ctx);
      if (code !== 'invalid_input' && code !== 'conflict') throw error;
      const message = sentence((error as Error).message);
      return render(ctx, 400, completePage(ctx, link.email, username, message));
    }
    ctx.status = 303;
    ctx.redirect('/signup/done');
  });

  const showDone = guarded((ctx) =>
    render(
      ctx,
      200,
      messagePage(
        'Account created',
        'Your account is ready and its address is verified. Sign in with your username and password.',
        'Go back to the application, or to your account page at /account.',
      ),
    ),
  );

  return { showComplete, submitComplete, showDone };
}
