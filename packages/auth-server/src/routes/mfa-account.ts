import type Koa from 'koa';
import type { AuthenticationMethod } from '../domain/mfa.ts';
import type { SignInLimits } from '../limits/sign-in-limits.ts';
import type { AuditTrail } from '../services/audit.ts';
import type { PublicUser } from '../services/users-service.ts';
import type { SafeHtml } from '../views/html.ts';
import type { Said } from '../views/i18n.ts';
import {
  mfaAccountSection,
  mfaCodePage,
  recoveryCodesPage,
  totpSetupPage,
} from '../views/mfa-pages.ts';
import type { Csrf } from './forms/csrf.ts';
import { readForm } from './forms/read-form.ts';
import {
  CODE_FAILED,
  checkSecondFactor,
  codeKind,
  type MfaSignInDeps,
  totpSetup,
} from './mfa-sign-in.ts';
import {
  accountBinding,
  checkPasskey,
  PASSKEY_FAILED,
  PASSKEY_METHODS,
} from './passkey-sign-in.ts';
import { csrfFailed, render, renderWithScript } from './respond.ts';

// The user who gave the right password on /account's login page, until their code: an HMAC'd
// value (user id and expiry) bound to the browser's CSRF cookie, so it is useless elsewhere.
const PENDING_COOKIE = 'portcullis.mfa';
const PENDING_SECONDS = 300;
const CODE_PATH = '/account/login/code';
/** Where the code step of /account's sign-in posts a passkey instead of a code. */
export const CODE_PASSKEY_PATH = '/account/login/code/passkey';

/**
 * The account pages' second factors: setting up an authenticator app (`/account/mfa`), turning
 * it off (password or a current code), and the code step of /account's own sign-in. Built by
 * routes/account.ts, which owns the session.
 */
export function accountMfa(deps: {
  csrf: Csrf;
  mfa: MfaSignInDeps;
  signIns: SignInLimits;
  audit: AuditTrail;
  users: {
    authenticate(username: string, password: string): Promise<PublicUser | undefined>;
    findById(id: string): Promise<PublicUser | undefined>;
  };
  /** The browser's CSRF binding (account.ts). */
  binding(ctx: Koa.Context): string;
  /** The signed-in user, if any. */
  currentUser(ctx: Koa.Context): Promise<PublicUser | undefined>;
  /** Starts the account session for `user`, signed in with `methods`. */
  signIn(ctx: Koa.Context, user: PublicUser, methods: AuthenticationMethod[]): Promise<void>;
}) {
  const { csrf, mfa } = deps;
  const sign = (value: string, binding: string) => csrf.token(`mfa-pending:${value}:${binding}`);

  async function pendingUser(ctx: Koa.Context): Promise<PublicUser | undefined> {
    const [id, expires, signature] = (ctx.cookies.get(PENDING_COOKIE) ?? '').split('.');
    if (!id || !expires || !signature || Number(expires) < Date.now() / 1000) return undefined;
    if (!csrf.verify(`mfa-pending:${id}.${expires}:${deps.binding(ctx)}`, signature)) {
      return undefined;
    }
    const user = await deps.users.findById(id);
    return user && !user.disabledAt ? user : undefined;
  }

  const clearPending = (ctx: Koa.Context) =>
    ctx.cookies.set(PENDING_COOKIE, null, { path: '/account' });

  const setupPage = async (ctx: Koa.Context, user: PublicUser, error?: Said) =>
    totpSetupPage({
      action: '/account/mfa',
      csrf: csrf.token(deps.binding(ctx)),
      setup: await totpSetup(await mfa.service.pendingTotp(user)),
      intro: 'mfa.setup_chosen',
      // The other second factor, on its own page (it needs the browser's dialog and a script).
      passkeyLink: '/account/passkeys/new',
      // Where a second factor is required, there is no way around the setup.
      ...(mfa.requirement.policy === 'required'
        ? {}
        : { cancel: { href: '/account', label: 'mfa.not_now' } }),
      ...(error ? { error } : {}),
    });

  // The code step: the code field when the user has an app or recovery codes, a passkey button
  // when they have passkeys.
  const codePage = async (ctx: Koa.Context, user: PublicUser, error?: Said) => {
    const binding = deps.binding(ctx);
    const status = await mfa.service.status(user.id);
    const withPasskey = status.factors.some((f) => f.kind === 'passkey');
    const body = mfaCodePage({
      action: CODE_PATH,
      csrf: csrf.token(binding),
      client: { name: 'login.your_account' },
      codes: codeKind(status),
      ...(withPasskey
        ? {
            passkey: {
              action: CODE_PASSKEY_PATH,
              csrf: csrf.token(binding),
              options: await mfa.passkeys.authenticationOptions(
                accountBinding(binding),
                'second_factor',
                user.id,
              ),
            },
          }
        : {}),
      ...(error ? { error } : {}),
    });
    (withPasskey ? renderWithScript : render)(ctx, error ? 401 : 200, body);
  };

  return {
    /**
     * The account page's section (set up, or turn off), for `user`; `binding` is the one the
     * page's other forms use (a browser without the cookie gets a new one per call).
     */
    async section(
      ctx: Koa.Context,
      user: PublicUser,
      binding: string,
    ): Promise<SafeHtml | undefined> {
      if (mfa.requirement.policy === 'off') return undefined;
      const status = await mfa.service.status(user.id);
      const factor = status.factors.find((f) => f.kind === 'totp');
      return mfaAccountSection({
        csrf: csrf.token(binding),
        ...(factor ? { factor } : {}),
        recoveryCodesLeft: status.recoveryCodesLeft,
        refused: ctx.query.mfa === 'refused',
        passkeys: status.factors.some((f) => f.kind === 'passkey'),
      });
    },

    /**
     * After the right password on /account's login page: true when the user has a second
     * factor, and the browser was sent to the code step (the password alone does not sign in).
     */
    async begin(ctx: Koa.Context, user: PublicUser): Promise<boolean> {
      if (mfa.requirement.policy === 'off' || !(await mfa.service.hasFactor(user.id))) return false;
      const value = `${user.id}.${Math.floor(Date.now() / 1000) + PENDING_SECONDS}`;
      ctx.cookies.set(PENDING_COOKIE, `${value}.${sign(value, deps.binding(ctx))}`, {
        httpOnly: true,
        sameSite: 'strict',
        path: '/account',
        secure: ctx.secure,
      });
      ctx.status = 303;
      ctx.redirect(CODE_PATH);
      return true;
    },

    /** `GET /account/login/code`. */
    async showCode(ctx: Koa.Context): Promise<void> {
      const user = await pendingUser(ctx);
      if (!user) {
        ctx.status = 303;
        return ctx.redirect('/account');
      }
      await codePage(ctx, user);
    },

    /** `POST /account/login/code/passkey`: one of the user's passkeys instead of a code. */
    async submitPasskey(ctx: Koa.Context): Promise<void> {
      const form = await readForm(ctx);
      if (!csrf.verify(deps.binding(ctx), form.csrf)) return csrfFailed(ctx);
      const user = await pendingUser(ctx);
      if (!user) {
        ctx.status = 303;
        return ctx.redirect('/account');
      }
      const signedIn = await checkPasskey(
        { passkeys: mfa.passkeys, signIns: deps.signIns, audit: deps.audit, users: deps.users },
        {
          binding: accountBinding(deps.binding(ctx)),
          posted: form.credential ?? '',
          address: ctx.ip,
          via: 'account',
          userId: user.id,
        },
      );
      if (!signedIn) return codePage(ctx, user, PASSKEY_FAILED);
      clearPending(ctx);
      await deps.signIn(ctx, user, ['pwd', ...PASSKEY_METHODS]);
    },

    /** `POST /account/login/code`. */
    async submitCode(ctx: Koa.Context): Promise<void> {
      const form = await readForm(ctx);
      if (!csrf.verify(deps.binding(ctx), form.csrf)) return csrfFailed(ctx);
      const user = await pendingUser(ctx);
      if (!user) {
        ctx.status = 303;
        return ctx.redirect('/account');
      }
      const ok = await checkSecondFactor(
        { service: mfa.service, signIns: deps.signIns, audit: deps.audit },
        { user, code: form.code ?? '', address: ctx.ip, via: 'account' },
      );
      if (!ok) return codePage(ctx, user, CODE_FAILED);
      clearPending(ctx);
      await deps.signIn(ctx, user, ['pwd', 'otp']);
    },

    /** `GET /account/mfa`: the setup page (a user with an app already goes back). */
    async showSetup(ctx: Koa.Context): Promise<void> {
      const user = await deps.currentUser(ctx);
      if (!user || mfa.requirement.policy === 'off' || (await mfa.service.hasApp(user.id))) {
        ctx.status = 303;
        return ctx.redirect('/account');
      }
      render(ctx, 200, await setupPage(ctx, user));
    },

    /** `POST /account/mfa`: the app's first code turns it on; the recovery codes are shown once. */
    async submitSetup(ctx: Koa.Context): Promise<void> {
      const form = await readForm(ctx);
      if (!csrf.verify(deps.binding(ctx), form.csrf)) return csrfFailed(ctx);
      const user = await deps.currentUser(ctx);
      if (!user || mfa.requirement.policy === 'off' || (await mfa.service.hasApp(user.id))) {
        ctx.status = 303;
        return ctx.redirect('/account');
      }
      const codes = await mfa.service.confirmTotp(user, (form.code ?? '').replace(/\s/g, ''), {
        actor: `user:${user.id}`,
      });
      if (!codes) return render(ctx, 401, await setupPage(ctx, user, CODE_FAILED));
      render(ctx, 200, recoveryCodesPage({ codes, next: '/account' }));
    },

    /**
     * `POST /account/mfa/remove`: turns the app off, with the password or a current code (each
     * counted by the sign-in limits); a wrong one leaves it on.
     */
    async remove(ctx: Koa.Context): Promise<void> {
      const form = await readForm(ctx);
      if (!csrf.verify(deps.binding(ctx), form.csrf)) return csrfFailed(ctx);
      const user = await deps.currentUser(ctx);
      if (!user) return csrfFailed(ctx);
      const proof = form.proof ?? '';
      const byCode = /^\s*\d{3}\s*\d{3}\s*$/.test(proof);
      const limited = byCode
        ? undefined
        : await deps.signIns.begin({ username: user.username, address: ctx.ip, via: 'account' });
      const ok = byCode
        ? await checkSecondFactor(
            { service: mfa.service, signIns: deps.signIns, audit: deps.audit },
            { user, code: proof, address: ctx.ip, via: 'account' },
          )
        : !limited?.locked && Boolean(await deps.users.authenticate(user.username, proof));
      if (!ok) {
        if (!byCode)
          await deps.audit.signInFailed({
            username: user.username,
            address: ctx.ip,
            via: 'account',
          });
        ctx.status = 303;
        return ctx.redirect('/account?mfa=refused');
      }
      await limited?.succeeded();
      const factorId = form.factor ?? '';
      await mfa.service
        .remove(user, factorId, { actor: `user:${user.id}` })
        .catch((error: unknown) => {
          if ((error as { code?: string }).code !== 'not_found') throw error;
        });
      ctx.status = 303;
      ctx.redirect('/account');
    },
  };
}
