import { SIGNUP_COMPLETE_PATH, SIGNUP_PATH } from '../domain/account-paths.ts';
import type { SignupLimits } from '../limits/signup-limits.ts';
import type { SignupService } from '../services/signup-service.ts';
import { validateEmail } from '../services/users-service.ts';
import { html, page } from '../views/html.ts';
import { type Said, t } from '../views/i18n.ts';
import { messagePage } from '../views/message-page.ts';
import { completeSignupPage, signupPage } from '../views/signup-pages.ts';
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
  /** Open sign-up's limits; undefined: PORTCULLIS_SIGNUP=invite (no /account/signup form: 404). */
  open?: SignupLimits;
}

/** The handlers of the self-registration routes; see {@link signupRoutes}. */
export interface SignupRoutes {
  /** `GET /account/signup/complete/:token`: the username and password form of a usable link. */
  showComplete: RouteHandler;
  /** `POST /account/signup/complete/:token`: creates the account and uses the link. */
  submitComplete: RouteHandler;
  /** `GET /account/signup/done`: the account exists. */
  showDone: RouteHandler;
  /** `GET /account/signup`: open sign-up's address form. */
  showSignup: RouteHandler;
  /** `POST /account/signup`: mails a link (or an existing-account note); the same answer either way. */
  submitSignup: RouteHandler;
  /** `GET /account/signup/sent`: the one answer to every request. */
  showSent: RouteHandler;
}

/**
 * Self-registration pages (PORTCULLIS_SIGNUP invite or open): a mailed link's page creates the
 * account with the link's address, verified; with open sign-up, /account/signup asks for an address and
 * answers the same page whether or not it has an account. Mounted by routes/route-table.ts only when sign-up
 * is on; otherwise these paths answer 404.
 *
 * @example
 * const routes = signupRoutes({ signup, csrf });
 */
export function signupRoutes(deps: SignupRoutesDeps): SignupRoutes {
  const { signup, csrf } = deps;
  const guarded = behindBoundary(pageBoundary());

  const completePage = (ctx: RouteContext, email: string, username?: string, error?: Said) =>
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
      return render(ctx, 400, completePage(ctx, link.email, username, 'signup.differ'));
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
    ctx.redirect(`${SIGNUP_PATH}/done`);
  });

  const showDone = guarded((ctx) =>
    render(ctx, 200, messagePage('signup.done_title', 'signup.done', 'password.reset_done_hint')),
  );

  const showSignup = guarded((ctx) =>
    render(ctx, 200, signupPage({ csrf: csrf.token(accountCsrfBinding(ctx)) })),
  );

  const submitSignup = guarded(async (ctx) => {
    const form = await readForm(ctx);
    if (!csrf.verify(accountCsrfBinding(ctx), form.csrf)) return csrfFailed(ctx);
    const email = (form.email ?? '').trim();
    const again = (error: Said) =>
      render(ctx, 400, signupPage({ csrf: csrf.token(accountCsrfBinding(ctx)), email, error }));
    if (!isEmail(email)) return again('signup.not_email');
    const retryAfter = await deps.open?.count({ email: email.toLowerCase(), address: ctx.ip });
    if (retryAfter !== undefined) {
      ctx.set('Retry-After', String(retryAfter));
      return render(
        ctx,
        429,
        page(
          t('signup.too_many_title'),
          html`<h1>${t('signup.too_many_title')}</h1>
<p>${t('signup.too_many')}</p>
<p class="muted">${t('signup.too_many_hint', { minutes: Math.ceil(retryAfter / 60) })}</p>`,
        ),
      );
    }
    await signup.requestSignup(email, { address: ctx.ip });
    ctx.status = 303;
    ctx.redirect(`${SIGNUP_PATH}/sent`);
  });

  const showSent = guarded((ctx) =>
    render(
      ctx,
      200,
      messagePage('password.mail_sent_title', 'signup.sent', 'password.mail_sent_hint'),
    ),
  );

  return { showComplete, submitComplete, showDone, showSignup, submitSignup, showSent };
}

// The shape `users create` accepts, checked before anything is counted or sent.
function isEmail(email: string): boolean {
  try {
    validateEmail(email);
    return true;
  } catch {
    return false;
  }
}
