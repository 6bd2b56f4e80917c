import type Provider from 'oidc-provider';
import { CHANGE_PASSWORD_PATH, SEND_VERIFICATION_PATH } from '../domain/account-paths.ts';
import type { SignInLimits } from '../limits/sign-in-limits.ts';
import { artifactDigest } from '../secrets/artifact-secrets.ts';
import type { AccountSecurityService } from '../services/account-security-service.ts';
import type { PublicUser } from '../services/users-service.ts';
import { verifyEmailPage } from '../views/email-pages.ts';
import type { MessageKey, Said } from '../views/i18n.ts';
import { messagePage } from '../views/message-page.ts';
import { changePasswordPage } from '../views/password-pages.ts';
import type { Csrf } from './forms/csrf.ts';
import { accountCsrfBinding } from './forms/csrf-cookie.ts';
import { readForm } from './forms/read-form.ts';
import { linkInvalid, sentence } from './password-reset.ts';
import { behindBoundary, csrfFailed, pageBoundary, render } from './respond.ts';
import type { RouteContext, RouteHandler } from './route.ts';

/** What the account security routes need. */
export interface AccountSecurityDeps {
  provider: Provider;
  security: AccountSecurityService;
  users: { findById(id: string): Promise<PublicUser | undefined> };
  csrf: Csrf;
  /** A wrong current password counts as a failed sign-in of the account. */
  signIns: SignInLimits;
}

/** The handlers of the account security routes; see {@link accountSecurityRoutes}. */
export interface AccountSecurityRoutes {
  /** `GET /account/password`: the password change form. */
  showChange: RouteHandler;
  /** `POST /account/password`: changes the password, ends the other sessions. */
  submitChange: RouteHandler;
  /** `GET /account/password/changed`. */
  showChanged: RouteHandler;
  /** `POST /account/email/verify`: mails a verification link to the account's address. */
  sendVerification: RouteHandler;
  /** `GET /account/email/sent`. */
  showSent: RouteHandler;
  /** `GET /account/email/verify/:token`: asks to confirm (a GET changes nothing). */
  showVerify: RouteHandler;
  /** `POST /account/email/verify/:token`: verifies the address. */
  submitVerify: RouteHandler;
  /** `GET /account/email/verified`. */
  showVerified: RouteHandler;
}

/**
 * The signed-in user's password change (the current password first; the other sessions end,
 * this one stays) and e-mail verification by mailed link (the link's page asks for a click, so
 * a mail scanner fetching it verifies nothing). Mounted by routes/route-table.ts.
 *
 * @example
 * const routes = accountSecurityRoutes({ provider, security, users, csrf, signIns });
 */
export function accountSecurityRoutes(deps: AccountSecurityDeps): AccountSecurityRoutes {
  const { provider, security, csrf } = deps;
  const guarded = behindBoundary(pageBoundary());

  // The signed-in, enabled user and their session's stored digest; undefined when signed out.
  const signedIn = async (ctx: RouteContext) => {
    const session = await provider.Session.get(ctx);
    const user = session.accountId ? await deps.users.findById(session.accountId) : undefined;
    if (!user || user.disabledAt) return undefined;
    // oidc-provider's Session keeps its id in `jti` (its typings omit it); stored as its digest.
    const sessionId = (session as unknown as { jti: string }).jti;
    return { user, sessionDigest: artifactDigest(sessionId) };
  };
  const toAccount = (ctx: RouteContext) => {
    ctx.status = 303;
    ctx.redirect('/account');
  };
  const changePage = (ctx: RouteContext, username: string, error?: Said) =>
    changePasswordPage({
      action: CHANGE_PASSWORD_PATH,
      csrf: csrf.token(accountCsrfBinding(ctx)),
      username,
      ...(error ? { error } : {}),
    });
  const done = (title: MessageKey, message: MessageKey) =>
    guarded((ctx) => render(ctx, 200, messagePage(title, message, 'account.page_hint')));

  const showChange = guarded(async (ctx) => {
    const found = await signedIn(ctx);
    if (!found) return toAccount(ctx);
    render(ctx, 200, changePage(ctx, found.user.username));
  });

  const submitChange = guarded(async (ctx) => {
    const form = await readForm(ctx);
    if (!csrf.verify(accountCsrfBinding(ctx), form.csrf)) return csrfFailed(ctx);
    const found = await signedIn(ctx);
    if (!found) return toAccount(ctx);
    const { user } = found;
    if ((form.new_password ?? '') !== (form.confirm_password ?? '')) {
      return render(ctx, 400, changePage(ctx, user.username, 'password.differ'));
    }
    const attempt = await deps.signIns.begin({
      username: user.username,
      address: ctx.ip,
      via: 'account',
    });
    let changed: Awaited<ReturnType<AccountSecurityService['changePassword']>>;
    try {
      changed = attempt.locked
        ? undefined
        : await security.changePassword(
            user.id,
            { current: form.current_password ?? '', next: form.new_password ?? '' },
            { address: ctx.ip, keepSession: found.sessionDigest },
          );
    } catch (error) {
      if ((error as { code?: string }).code !== 'invalid_input') throw error;
      // The current password was right: only the new one is refused.
      await attempt.succeeded();
      return render(ctx, 400, changePage(ctx, user.username, sentence((error as Error).message)));
    }
    if (!changed) {
      return render(ctx, 401, changePage(ctx, user.username, 'password.current_wrong'));
    }
    await attempt.succeeded();
    ctx.status = 303;
    ctx.redirect(`${CHANGE_PASSWORD_PATH}/changed`);
  });

  const sendVerification = guarded(async (ctx) => {
    const form = await readForm(ctx);
    if (!csrf.verify(accountCsrfBinding(ctx), form.csrf)) return csrfFailed(ctx);
    const found = await signedIn(ctx);
    if (!found) return toAccount(ctx);
    try {
      await security.sendEmailVerification(found.user.id, { address: ctx.ip });
    } catch (error) {
      if ((error as { code?: string }).code !== 'invalid_input') throw error;
      return render(
        ctx,
        400,
        messagePage('verify.not_sent_title', sentence((error as Error).message), 'verify.back'),
      );
    }
    ctx.status = 303;
    ctx.redirect('/account/email/sent');
  });

  const showVerify = guarded(async (ctx) => {
    const token = ctx.params.token ?? '';
    const email = await security.findEmailVerification(token);
    if (!email) return linkInvalid(ctx);
    render(
      ctx,
      200,
      verifyEmailPage({
        action: `${SEND_VERIFICATION_PATH}/${encodeURIComponent(token)}`,
        csrf: csrf.token(accountCsrfBinding(ctx)),
        email,
      }),
    );
  });

  const submitVerify = guarded(async (ctx) => {
    const form = await readForm(ctx);
    if (!csrf.verify(accountCsrfBinding(ctx), form.csrf)) return csrfFailed(ctx);
    try {
      await security.verifyEmail(ctx.params.token ?? '', { address: ctx.ip });
    } catch (error) {
      if ((error as { code?: string }).code !== 'not_found') throw error;
      return linkInvalid(ctx);
    }
    ctx.status = 303;
    ctx.redirect('/account/email/verified');
  });

  return {
    showChange,
    submitChange,
    showChanged: done('password.changed_title', 'password.changed'),
    sendVerification,
    showSent: done('password.mail_sent_title', 'verify.sent'),
    showVerify,
    submitVerify,
    showVerified: done('verify.done_title', 'verify.done'),
  };
}
