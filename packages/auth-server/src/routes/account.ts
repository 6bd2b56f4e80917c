import type Koa from 'koa';
import type Provider from 'oidc-provider';
import type { AuthenticationMethod } from '../domain/mfa.ts';
import { authenticationContext } from '../domain/mfa.ts';
import type { SignInLimits } from '../limits/sign-in-limits.ts';
import type { Logger } from '../observability/logger.ts';
import { sendLogoutToken, sendLogoutTokens } from '../provider/backchannel-logout.ts';
import type { AuditTrail } from '../services/audit.ts';
import type { GrantsService } from '../services/grants-service.ts';
import type { PublicUser } from '../services/users-service.ts';
import { accountPage } from '../views/account-page.ts';
import type { SafeHtml } from '../views/html.ts';
import type { Said } from '../views/i18n.ts';
import { loginPage } from '../views/login-page.ts';
import { removeAccessPage } from '../views/remove-access-page.ts';
import type { Csrf } from './forms/csrf.ts';
import { accountCsrfBinding as csrfBinding } from './forms/csrf-cookie.ts';
import { readForm } from './forms/read-form.ts';
import { accountMfa } from './mfa-account.ts';
import type { MfaSignInDeps } from './mfa-sign-in.ts';
import { PASSKEY_FAILED } from './passkey-sign-in.ts';
import { accountPasskeys } from './passkeys-account.ts';
import {
  behindBoundary,
  csrfFailed,
  LOGIN_FAILED,
  pageBoundary,
  render,
  renderWithScript,
} from './respond.ts';
import type { RouteHandler } from './route.ts';

/** What the account routes need. */
export interface AccountDeps {
  provider: Provider;
  grants: GrantsService;
  users: {
    authenticate(username: string, password: string): Promise<PublicUser | undefined>;
    findById(id: string): Promise<PublicUser | undefined>;
  };
  /** The user's roles, shown on the account page. */
  roles: { ofUser(userId: string): Promise<string[]> };
  csrf: Csrf;
  /** oidc-provider's long-lived cookie options, so the session cookie we set is the same. */
  sessionCookie: Record<string, unknown>;
  sessionTtlSeconds: number;
  logger: Logger;
  audit: AuditTrail;
  /** Failed sign-ins per account and per address; a locked attempt reads as a wrong password. */
  signIns: SignInLimits;
  /** Mail is on: "Forgot your password?" and verification links are offered. */
  mailEnabled?: boolean;
  /** Open sign-up (PORTCULLIS_SIGNUP=open, mail on): the login page offers "Create an account". */
  openSignup?: boolean;
  /** Second factors (routes/mfa-account.ts). */
  mfa: MfaSignInDeps;
  /** The identity providers' section (routes/identity-providers/account-links.ts). */
  otherProviders?: { section(user: PublicUser, csrf: string): Promise<SafeHtml> };
}

/** The handlers of the account routes; see {@link accountRoutes}. */
export interface AccountRoutes {
  /** `GET /account`: the account page, or its login page when signed out. */
  show: RouteHandler;
  /** `POST /account/login`: the account's login page's form. */
  submitLogin: RouteHandler;
  /** `GET /account/grants/:grant/revoke`: the remove-access page, which asks first. */
  confirmRemoval: RouteHandler;
  /** `POST /account/grants/:grant/revoke`: the remove-access page's form. */
  remove: RouteHandler;
  /** `POST /account/logout`: the account page's "Sign out". */
  signOut: RouteHandler;
  /** `GET /account/login/code`: the code step of the account's sign-in. */
  showCode: RouteHandler;
  /** `POST /account/login/code`: its form. */
  submitCode: RouteHandler;
  /** `GET /account/mfa`: setting up an authenticator app. */
  showMfaSetup: RouteHandler;
  /** `POST /account/mfa`: its first code. */
  submitMfaSetup: RouteHandler;
  /** `POST /account/mfa/remove`: turning it off. */
  removeMfa: RouteHandler;
  /** `POST /account/login/code/passkey`: a passkey instead of the code. */
  submitCodePasskey: RouteHandler;
  /** `POST /account/login/passkey`: the login page's "Sign in with a passkey". */
  signInWithPasskey: RouteHandler;
  /** `GET /account/passkeys/new`: adding a passkey. */
  showAddPasskey: RouteHandler;
  /** `POST /account/passkeys/new`: its name and the new credential. */
  submitAddPasskey: RouteHandler;
  /** `GET /account/passkeys/:id/rename`: a passkey's new name. */
  showRenamePasskey: RouteHandler;
  /** `POST /account/passkeys/:id/rename`: renames it. */
  renamePasskey: RouteHandler;
  /** `GET /account/passkeys/:id/remove`: asks before removing a passkey. */
  confirmRemovePasskey: RouteHandler;
  /** `POST /account/passkeys/:id/remove`: removes it. */
  removePasskey: RouteHandler;
}

/**
 * `/account`: a signed-in user sees the apps they authorised, with the scopes granted, and can
 * remove an app's access (its grant and every token from it), once a confirmation page has asked.
 * It shares oidc-provider's session: signing in here signs in for the apps, and the other way
 * round. Each handler is behind the page boundary; mounted by routes/route-table.ts.
 *
 * @example
 * const { show, submitLogin, confirmRemoval, remove, signOut } = accountRoutes(deps);
 */
export function accountRoutes(deps: AccountDeps): AccountRoutes {
  const { provider, csrf } = deps;
  const boundary = pageBoundary();
  const guarded = behindBoundary(boundary);
  const currentUser = async (ctx: Koa.Context) => {
    const session = await provider.Session.get(ctx);
    const user = session.accountId ? await deps.users.findById(session.accountId) : undefined;
    return user && !user.disabledAt ? user : undefined;
  };
  const mfa = accountMfa({
    csrf,
    mfa: deps.mfa,
    signIns: deps.signIns,
    audit: deps.audit,
    users: deps.users,
    binding: csrfBinding,
    currentUser,
    signIn: startSession,
  });
  const passkeys = accountPasskeys({
    csrf,
    mfa: deps.mfa,
    signIns: deps.signIns,
    audit: deps.audit,
    users: deps.users,
    binding: csrfBinding,
    currentUser,
    signIn: startSession,
  });

  // The account's login page, with "Sign in with a passkey" when second factors are on.
  async function showLogin(
    ctx: Koa.Context,
    binding: string,
    status: number,
    extra: { username?: string; error?: Said } = {},
  ) {
    const passkey = await passkeys.loginButton(binding);
    (passkey ? renderWithScript : render)(
      ctx,
      status,
      loginPage({
        action: '/account/login',
        csrf: csrf.token(binding),
        client: { name: 'login.your_account' },
        forgotPassword: deps.mailEnabled === true,
        signUp: deps.openSignup === true,
        ...extra,
        ...(passkey ? { passkey } : {}),
      }),
    );
  }

  const show = guarded(async (ctx) => {
    const binding = csrfBinding(ctx);
    const user = await currentUser(ctx);
    if (!user) {
      return showLogin(
        ctx,
        binding,
        200,
        ctx.query.passkey === 'refused' ? { error: PASSKEY_FAILED } : {},
      );
    }
    // Where a second factor is required, a user without one sets it up before anything else.
    if (
      deps.mfa.requirement.policy === 'required' &&
      !(await deps.mfa.service.hasFactor(user.id))
    ) {
      ctx.status = 303;
      return ctx.redirect('/account/mfa');
    }
    const grants = await deps.grants.listForAccount(user.id);
    const roles = await deps.roles.ofUser(user.id);
    const mfaSection = await mfa.section(ctx, user, binding);
    const providersSection = await deps.otherProviders?.section(user, csrf.token(binding));
    const passkeySection = await passkeys.section(user);
    render(
      ctx,
      200,
      accountPage({
        username: user.username,
        csrf: csrf.token(binding),
        email: user.email,
        emailVerified: user.emailVerified,
        mailEnabled: deps.mailEnabled === true,
        apps: grants.map((g) => ({
          grantId: g.grantId,
          clientName: g.clientName,
          grantedAt: g.grantedAt,
          scopes: g.scopes,
        })),
        roles,
        sections: [mfaSection, passkeySection, providersSection].filter((s) => s !== undefined),
      }),
    );
  });

  const submitLogin = guarded(async (ctx) => {
    const form = await readForm(ctx);
    const binding = csrfBinding(ctx);
    if (!csrf.verify(binding, form.csrf)) return csrfFailed(ctx);
    const attempt = await deps.signIns.begin({
      username: form.username ?? '',
      address: ctx.ip,
      via: 'account',
    });
    const user = attempt.locked
      ? undefined
      : await deps.users.authenticate(form.username ?? '', form.password ?? '');
    if (!user) {
      await deps.audit.signInFailed({
        username: form.username ?? '',
        address: ctx.ip,
        via: 'account',
      });
      return showLogin(ctx, binding, 401, { username: form.username ?? '', error: LOGIN_FAILED });
    }
    if (await mfa.begin(ctx, user)) {
      await attempt.passed();
      return;
    }
    await attempt.succeeded();
    await startSession(ctx, user, ['pwd']);
  });

  // A new account session for `user`, who signed in with `methods`; then back to /account.
  async function startSession(ctx: Koa.Context, user: PublicUser, methods: AuthenticationMethod[]) {
    let session = await provider.Session.get(ctx);
    const stored = !(session as unknown as { new?: boolean }).new;
    if (stored && session.accountId !== user.id) {
      // Another account's session, or an anonymous one: end it, as "Sign out" does, and start a
      // new one. Signing this account into it would hand it the other's apps (their grants are
      // in it), or keep what the anonymous one held (a logout confirmation, which would end
      // this sign-in when posted later).
      await session.destroy();
      session = new provider.Session();
    }
    // A new session id at every sign-in: a planted session cookie is worth nothing (fixation).
    session.resetIdentifier();
    session.loginAccount({ accountId: user.id, ...authenticationContext(methods) });
    await session.save(deps.sessionTtlSeconds);
    // oidc-provider's Session keeps its id in `jti` (its typings omit the `id` accessor).
    const sessionId = (session as unknown as { jti: string }).jti;
    provider
      .createContext(ctx.req, ctx.res)
      .cookies.set(provider.cookieName('session'), sessionId, deps.sessionCookie);
    deps.logger.info('sign-in', { sub: user.id, via: 'account' });
    await deps.audit.record({
      type: 'signin.succeeded',
      actor: `user:${user.id}`,
      subject: user.id,
      address: ctx.ip,
      details: { via: 'account', username: user.username, amr: methods },
    });
    ctx.status = 303;
    ctx.redirect('/account');
  }

  // The confirmation page of "Remove access"; its form posts to the same path.
  const confirmRemoval = guarded(async (ctx) => {
    const binding = csrfBinding(ctx);
    const session = await provider.Session.get(ctx);
    const user = session.accountId ? await deps.users.findById(session.accountId) : undefined;
    const grantId = ctx.params.grant as string;
    const grant = user
      ? (await deps.grants.listForAccount(user.id)).find((g) => g.grantId === grantId)
      : undefined;
    // Signed out, or no such grant of this user (already removed): back to the list.
    if (!user || user.disabledAt || !grant) {
      ctx.status = 303;
      return ctx.redirect('/account');
    }
    render(
      ctx,
      200,
      removeAccessPage({
        csrf: csrf.token(binding),
        app: {
          grantId: grant.grantId,
          clientName: grant.clientName,
          grantedAt: grant.grantedAt,
          scopes: grant.scopes,
        },
      }),
    );
  });

  const remove = guarded(async (ctx) => {
    const form = await readForm(ctx);
    if (!csrf.verify(csrfBinding(ctx), form.csrf)) return csrfFailed(ctx);
    const session = await provider.Session.get(ctx);
    if (!session.accountId) return csrfFailed(ctx);
    const accountId = session.accountId;
    const grantId = ctx.params.grant as string;
    const parties = await deps.audit.grantParties(grantId);
    const revoked = await deps.grants.revoke(grantId, accountId).then(
      () => true,
      (error: unknown) => {
        if ((error as { code?: string }).code !== 'not_found') throw error;
        return false;
      },
    );
    deps.logger.info('grant revoked by user', { sub: accountId });
    if (revoked && parties?.clientId) {
      // The app's sign-in ends with its access: it hears of it as of a logout (with this
      // session's sid when the user signed in to it here).
      await sendLogoutToken(provider, ctx, {
        clientId: parties.clientId,
        accountId,
        sid: session.sidFor(parties.clientId),
      });
    }
    if (revoked) {
      await deps.audit.record({
        type: 'consent.revoked',
        actor: `user:${accountId}`,
        clientId: parties?.clientId ?? null,
        subject: accountId,
        address: ctx.ip,
        details: { grant_id: grantId, via: 'account' },
      });
    }
    ctx.status = 303;
    ctx.redirect('/account');
  });

  const signOut = guarded(async (ctx) => {
    const form = await readForm(ctx);
    if (!csrf.verify(csrfBinding(ctx), form.csrf)) return csrfFailed(ctx);
    const session = await provider.Session.get(ctx);
    if (session.accountId) {
      // The apps signed in through this session hear of it (OIDC Back-Channel Logout), as they
      // do when one of them ends it with RP-initiated logout.
      await sendLogoutTokens(provider, ctx, session);
      await session.destroy();
    }
    provider
      .createContext(ctx.req, ctx.res)
      .cookies.set(provider.cookieName('session'), null, deps.sessionCookie);
    ctx.status = 303;
    ctx.redirect('/account');
  });

  return {
    show,
    submitLogin,
    confirmRemoval,
    remove,
    signOut,
    showCode: guarded(mfa.showCode),
    submitCode: guarded(mfa.submitCode),
    showMfaSetup: guarded(mfa.showSetup),
    submitMfaSetup: guarded(mfa.submitSetup),
    removeMfa: guarded(mfa.remove),
    submitCodePasskey: guarded(mfa.submitPasskey),
    signInWithPasskey: guarded(passkeys.signInWithPasskey),
    showAddPasskey: guarded(passkeys.showAdd),
    submitAddPasskey: guarded(passkeys.submitAdd),
    showRenamePasskey: guarded(passkeys.showRename),
    renamePasskey: guarded(passkeys.submitRename),
    confirmRemovePasskey: guarded(passkeys.confirmRemove),
    removePasskey: guarded(passkeys.remove),
  };
}
