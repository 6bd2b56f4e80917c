import { isDatabaseUnavailable } from '@portcullis/storage';
import type Koa from 'koa';
import type { AuthenticationMethod } from '../domain/mfa.ts';
import type { SignInLimits } from '../limits/sign-in-limits.ts';
import type { AuditTrail } from '../services/audit.ts';
import type { PublicUser } from '../services/users-service.ts';
import type { SafeHtml } from '../views/html.ts';
import { recoveryCodesPage } from '../views/mfa-pages.ts';
import {
  addPasskeyPage,
  type PasskeyForm,
  passkeysSection,
  removePasskeyPage,
  renamePasskeyPage,
} from '../views/passkey-pages.ts';
import type { Csrf } from './forms/csrf.ts';
import { readForm } from './forms/read-form.ts';
import { type MfaSignInDeps, PASSKEY_NOT_CREATED } from './mfa-sign-in.ts';
import { accountBinding, checkPasskey, PASSKEY_METHODS } from './passkey-sign-in.ts';
import { csrfFailed, render, renderWithScript } from './respond.ts';

/** Where /account's login page posts "Sign in with a passkey". */
export const ACCOUNT_PASSKEY_PATH = '/account/login/passkey';

const NEW_PATH = '/account/passkeys/new';
const NAME_INVALID = 'passkey.name_invalid';

/**
 * The account pages' passkeys: the list on /account, adding one (`/account/passkeys/new`: a
 * name, then the browser's dialog), renaming one, removing one after a confirmation page, and
 * /account's own
 * "Sign in with a passkey". Off, like every second factor, with PORTCULLIS_MFA=off. Built by
 * routes/account.ts, which owns the session.
 */
export function accountPasskeys(deps: {
  csrf: Csrf;
  /** Passkeys and the policy: off with PORTCULLIS_MFA=off. */
  mfa: Pick<MfaSignInDeps, 'passkeys' | 'requirement'>;
  signIns: SignInLimits;
  audit: AuditTrail;
  users: { findById(id: string): Promise<PublicUser | undefined> };
  /** The browser's CSRF binding (account.ts). */
  binding(ctx: Koa.Context): string;
  /** The signed-in user, if any. */
  currentUser(ctx: Koa.Context): Promise<PublicUser | undefined>;
  /** Starts the account session for `user`, signed in with `methods`. */
  signIn(ctx: Koa.Context, user: PublicUser, methods: AuthenticationMethod[]): Promise<void>;
}) {
  const { csrf, mfa } = deps;
  const enabled = () => mfa.requirement.policy !== 'off';
  const back = (ctx: Koa.Context) => {
    ctx.status = 303;
    ctx.redirect('/account');
  };
  const signedIn = async (ctx: Koa.Context) =>
    enabled() ? await deps.currentUser(ctx) : undefined;

  const addPage = async (ctx: Koa.Context, user: PublicUser, status: number, name?: string) => {
    const binding = deps.binding(ctx);
    renderWithScript(
      ctx,
      status,
      addPasskeyPage({
        action: NEW_PATH,
        csrf: csrf.token(binding),
        options: await mfa.passkeys.registrationOptions(user, accountBinding(binding)),
        ...(name === undefined ? {} : { name, error: PASSKEY_NOT_CREATED }),
      }),
    );
  };

  const ownPasskey = async (ctx: Koa.Context, user: PublicUser) =>
    (await mfa.passkeys.list(user.id)).find((p) => p.id === ctx.params.id);

  return {
    /** The account page's section, or undefined when second factors are off. */
    async section(user: PublicUser): Promise<SafeHtml | undefined> {
      return enabled() ? passkeysSection(await mfa.passkeys.list(user.id)) : undefined;
    },

    /** The login page's passwordless button, with a challenge for this browser. */
    async loginButton(binding: string): Promise<PasskeyForm | undefined> {
      if (!enabled()) return undefined;
      let options: Awaited<ReturnType<typeof mfa.passkeys.authenticationOptions>>;
      try {
        options = await mfa.passkeys.authenticationOptions(accountBinding(binding), 'passwordless');
      } catch (error) {
        // The challenge lives in PostgreSQL. While it is down the sign-in form is still shown,
        // without the passkey button; signing in then answers 503 like every database request.
        if (isDatabaseUnavailable(error)) return undefined;
        throw error;
      }
      return { action: ACCOUNT_PASSKEY_PATH, csrf: csrf.token(binding), options };
    },

    /** `GET /account/passkeys/new`. */
    async showAdd(ctx: Koa.Context): Promise<void> {
      const user = await signedIn(ctx);
      if (!user) return back(ctx);
      await addPage(ctx, user, 200);
    },

    /**
     * `POST /account/passkeys/new`: the name and the browser's new credential; the recovery
     * codes page when the passkey came with codes, otherwise back to /account.
     */
    async submitAdd(ctx: Koa.Context): Promise<void> {
      const form = await readForm(ctx);
      if (!csrf.verify(deps.binding(ctx), form.csrf)) return csrfFailed(ctx);
      const user = await signedIn(ctx);
      if (!user) return back(ctx);
      const name = form.name ?? '';
      const added = await mfa.passkeys
        .register(
          user,
          accountBinding(deps.binding(ctx)),
          { name, posted: form.credential ?? '' },
          { actor: `user:${user.id}` },
        )
        .catch((error: unknown) => {
          if ((error as { code?: string }).code !== 'invalid_input') throw error;
          return undefined;
        });
      if (!added) return addPage(ctx, user, 400, name);
      // The user's first second factor (or every code used): the new recovery codes, once.
      if (added.recoveryCodes) {
        const codes = added.recoveryCodes;
        return render(ctx, 200, recoveryCodesPage({ codes, next: '/account', factor: 'passkey' }));
      }
      back(ctx);
    },

    /** `GET /account/passkeys/:id/rename`: the name field, filled with the current name. */
    async showRename(ctx: Koa.Context): Promise<void> {
      const user = await signedIn(ctx);
      const passkey = user ? await ownPasskey(ctx, user) : undefined;
      if (!passkey) return back(ctx);
      render(ctx, 200, renamePasskeyPage({ csrf: csrf.token(deps.binding(ctx)), passkey }));
    },

    /**
     * `POST /account/passkeys/:id/rename`: the new name (audited `passkey.renamed`); a refused
     * one shows the form again with what was typed and why (400).
     */
    async submitRename(ctx: Koa.Context): Promise<void> {
      const form = await readForm(ctx);
      if (!csrf.verify(deps.binding(ctx), form.csrf)) return csrfFailed(ctx);
      const user = await signedIn(ctx);
      if (!user) return csrfFailed(ctx);
      const passkey = await ownPasskey(ctx, user);
      if (!passkey) return back(ctx);
      const name = form.name ?? '';
      // Refused for its name; a passkey removed meanwhile (not_found) just goes back to the list.
      const refused = await mfa.passkeys
        .rename(user, passkey.id, name, { actor: `user:${user.id}` })
        .then(
          () => false,
          (error: unknown) => {
            const code = (error as { code?: string }).code;
            if (code === 'invalid_input') return true;
            if (code === 'not_found') return false;
            throw error;
          },
        );
      if (refused) {
        const page = renamePasskeyPage({
          csrf: csrf.token(deps.binding(ctx)),
          passkey,
          name: name.slice(0, 200),
          error: NAME_INVALID,
        });
        return render(ctx, 400, page);
      }
      back(ctx);
    },

    /** `GET /account/passkeys/:id/remove`: asks first. */
    async confirmRemove(ctx: Koa.Context): Promise<void> {
      const user = await signedIn(ctx);
      const passkey = user ? await ownPasskey(ctx, user) : undefined;
      if (!passkey) return back(ctx);
      render(ctx, 200, removePasskeyPage({ csrf: csrf.token(deps.binding(ctx)), passkey }));
    },

    /** `POST /account/passkeys/:id/remove`. */
    async remove(ctx: Koa.Context): Promise<void> {
      const form = await readForm(ctx);
      if (!csrf.verify(deps.binding(ctx), form.csrf)) return csrfFailed(ctx);
      const user = await signedIn(ctx);
      if (!user) return csrfFailed(ctx);
      await mfa.passkeys
        .remove(user, String(ctx.params.id), { actor: `user:${user.id}` })
        .catch((error: unknown) => {
          if ((error as { code?: string }).code !== 'not_found') throw error;
        });
      back(ctx);
    },

    /**
     * `POST /account/login/passkey`: /account's "Sign in with a passkey"; a refused one goes
     * back to the login page (`?passkey=refused` says so).
     */
    async signInWithPasskey(ctx: Koa.Context): Promise<void> {
      const form = await readForm(ctx);
      const binding = deps.binding(ctx);
      if (!csrf.verify(binding, form.csrf)) return csrfFailed(ctx);
      const user = enabled()
        ? await checkPasskey(
            { passkeys: mfa.passkeys, signIns: deps.signIns, audit: deps.audit, users: deps.users },
            {
              binding: accountBinding(binding),
              posted: form.credential ?? '',
              address: ctx.ip,
              via: 'account',
            },
          )
        : undefined;
      if (!user) {
        ctx.status = 303;
        return ctx.redirect('/account?passkey=refused');
      }
      await deps.signIn(ctx, user, [...PASSKEY_METHODS]);
    },
  };
}
