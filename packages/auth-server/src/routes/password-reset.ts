import { FORGOT_PASSWORD_PATH, RESET_PATH } from '../domain/account-paths.ts';
import type { SignInLimits } from '../limits/sign-in-limits.ts';
import type { AccountSecurityService } from '../services/account-security-service.ts';
import { type Said, verbatim } from '../views/i18n.ts';
import { messagePage } from '../views/message-page.ts';
import { forgotPasswordPage, resetPasswordPage } from '../views/password-pages.ts';
import type { Csrf } from './forms/csrf.ts';
import { accountCsrfBinding } from './forms/csrf-cookie.ts';
import { readForm } from './forms/read-form.ts';
import { behindBoundary, csrfFailed, pageBoundary, render } from './respond.ts';
import type { RouteContext, RouteHandler } from './route.ts';

/** What the password-reset routes need. */
export interface PasswordResetDeps {
  security: AccountSecurityService;
  csrf: Csrf;
  /** Each reset request counts against the sign-in limits, per address and per address typed. */
  signIns: SignInLimits;
}

/** The handlers of the password-reset routes; see {@link passwordResetRoutes}. */
export interface PasswordResetRoutes {
  /** `GET /account/password/forgot`: the address form. */
  showForgot: RouteHandler;
  /** `POST /account/password/forgot`: mails a link (or not) and answers the same either way. */
  submitForgot: RouteHandler;
  /** `GET /account/password/forgot/sent`: the one answer to every request. */
  showSent: RouteHandler;
  /** `GET /account/password/reset/:token`: the new-password form of a usable link. */
  showReset: RouteHandler;
  /** `POST /account/password/reset/:token`: sets the password and uses the link. */
  submitReset: RouteHandler;
  /** `GET /account/password/reset-done`: the password is set. */
  showDone: RouteHandler;
}

/**
 * Password reset by mailed link, from the login pages' "Forgot your password?". The request
 * answers with the same page whether the address is known, unknown, locked by the limits, or the
 * mail cannot be sent; the link's page sets a new password (the policy of `users create`) and, by
 * default, ends every sign-in of the account. Mounted by routes/route-table.ts only when mail is on.
 *
 * @example
 * const routes = passwordResetRoutes({ security, csrf, signIns: limits.signIn });
 */
export function passwordResetRoutes(deps: PasswordResetDeps): PasswordResetRoutes {
  const { security, csrf } = deps;
  const guarded = behindBoundary(pageBoundary());

  const showForgot = guarded((ctx) =>
    render(
      ctx,
      200,
      forgotPasswordPage({
        action: FORGOT_PASSWORD_PATH,
        csrf: csrf.token(accountCsrfBinding(ctx)),
      }),
    ),
  );

  const submitForgot = guarded(async (ctx) => {
    const form = await readForm(ctx);
    if (!csrf.verify(accountCsrfBinding(ctx), form.csrf)) return csrfFailed(ctx);
    const email = (form.email ?? '').trim();
    const attempt = await deps.signIns.begin({
      username: email,
      address: ctx.ip,
      via: 'password-reset',
    });
    // Locked: nothing is sent, and the answer is the same.
    if (!attempt.locked) await security.requestPasswordReset(email, { address: ctx.ip });
    ctx.status = 303;
    ctx.redirect(`${FORGOT_PASSWORD_PATH}/sent`);
  });

  const showSent = guarded((ctx) =>
    render(
      ctx,
      200,
      messagePage('password.mail_sent_title', 'password.mail_sent', 'password.mail_sent_hint'),
    ),
  );

  const showReset = guarded(async (ctx) => {
    const user = await security.findPasswordReset(ctx.params.token ?? '');
    if (!user) return linkInvalid(ctx);
    render(ctx, 200, resetPage(ctx, user.username));
  });

  const submitReset = guarded(async (ctx) => {
    const form = await readForm(ctx);
    if (!csrf.verify(accountCsrfBinding(ctx), form.csrf)) return csrfFailed(ctx);
    const token = ctx.params.token ?? '';
    const user = await security.findPasswordReset(token);
    if (!user) return linkInvalid(ctx);
    if ((form.new_password ?? '') !== (form.confirm_password ?? '')) {
      return render(ctx, 400, resetPage(ctx, user.username, 'password.differ'));
    }
    try {
      await security.resetPassword(token, form.new_password ?? '', {
        address: ctx.ip,
        endSignIns: form.end_sessions === 'on',
      });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'not_found') return linkInvalid(ctx);
      if (code !== 'invalid_input') throw error;
      return render(ctx, 400, resetPage(ctx, user.username, sentence((error as Error).message)));
    }
    ctx.status = 303;
    ctx.redirect('/account/password/reset-done');
  });

  const showDone = guarded((ctx) =>
    render(
      ctx,
      200,
      messagePage('password.changed_title', 'password.reset_done', 'password.reset_done_hint'),
    ),
  );

  return { showForgot, submitForgot, showSent, showReset, submitReset, showDone };

  function resetPage(ctx: RouteContext, username: string, error?: Said): string {
    return resetPasswordPage({
      action: `${RESET_PATH}${encodeURIComponent(ctx.params.token ?? '')}`,
      csrf: csrf.token(accountCsrfBinding(ctx)),
      username,
      ...(error ? { error } : {}),
    });
  }
}

/** The page of a link that was used, expired or never existed: one answer for all three. */
export function linkInvalid(ctx: RouteContext): void {
  render(
    ctx,
    400,
    messagePage('password.link_broken_title', 'password.link_broken', 'password.link_broken_hint'),
  );
}

/**
 * A service's own message as a sentence for a page: capitalised, with a full stop, shown as it
 * is (services word their refusals in English; no catalogue message has them).
 */
export function sentence(message: string): Said {
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return verbatim(text.endsWith('.') ? text : `${text}.`);
}
