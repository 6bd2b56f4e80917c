import type Koa from 'koa';
import type Provider from 'oidc-provider';
import type { SignInLimits } from '../limits/sign-in-limits.ts';
import { MFA_REASON, type MfaRequirement } from '../provider/mfa-policy.ts';
import type { AuditTrail, SignInVia } from '../services/audit.ts';
import type { MfaService, MfaStatus } from '../services/mfa-service.ts';
import type { PasskeyService } from '../services/passkey-service.ts';
import type { PublicUser } from '../services/users-service.ts';
import { type Said, say } from '../views/i18n.ts';
import type { ClientDisplay } from '../views/login-page.ts';
import {
  mfaCodePage,
  recoveryCodesPage,
  type TotpSetup,
  totpSetupPage,
} from '../views/mfa-pages.ts';
import type { Csrf } from './forms/csrf.ts';
import { readForm } from './forms/read-form.ts';
import {
  checkPasskey,
  interactionBinding,
  PASSKEY_FAILED,
  PASSKEY_METHODS,
} from './passkey-sign-in.ts';
import { csrfFailed, render, renderWithScript } from './respond.ts';

/** A passkey that was not created: a bad name, or an answer that does not verify. */
export const PASSKEY_NOT_CREATED = 'passkey.not_created';

/** The one message for every failed code: wrong, reused, or refused by a lockout. */
export const CODE_FAILED = 'mfa.code_failed';

/** What the second step of sign-in needs besides the login routes' own dependencies. */
export interface MfaSignInDeps {
  service: MfaService;
  requirement: MfaRequirement;
  /** Passkeys, a second factor too, and passwordless sign-in (routes/passkey-sign-in.ts). */
  passkeys: PasskeyService;
}

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

// The user who gave the right password in this interaction, kept in it until the second step.
const PENDING = 'portcullis_mfa';

/**
 * What the code step asks for, by the user's factors: a code from the app (or a recovery code),
 * a recovery code only (no app, some codes left), or no code at all (passkeys only).
 */
export function codeKind(status: MfaStatus): boolean | 'recovery' {
  if (status.factors.some((f) => f.kind === 'totp')) return true;
  return status.recoveryCodesLeft > 0 ? 'recovery' : false;
}

/**
 * The QR code of an otpauth:// URI as inline SVG: drawn here, so the page loads no image and the
 * seed never leaves this response.
 */
export async function totpSetup(enrolment: { uri: string; secret: string }): Promise<TotpSetup> {
  // Loaded by the first enrolment, not with the server (docs/benchmarks.md, "Memory").
  const { default: QRCode } = await import('qrcode');
  const qrSvg = await QRCode.toString(enrolment.uri, {
    type: 'svg',
    margin: 1,
    errorCorrectionLevel: 'M',
  });
  return { qrSvg, secret: enrolment.secret };
}

/**
 * Checks a code a user typed: six digits for the authenticator app, anything else as a recovery
 * code. Counted by the sign-in limits like a password (a locked attempt reads as a wrong code).
 */
export async function checkSecondFactor(
  deps: { service: MfaService; signIns: SignInLimits; audit: AuditTrail },
  attempt: { user: PublicUser; code: string; address: string; via: SignInVia; clientId?: string },
): Promise<boolean> {
  const { user, code } = attempt;
  const limited = await deps.signIns.begin({
    username: user.username,
    address: attempt.address,
    via: attempt.via,
    ...(attempt.clientId ? { clientId: attempt.clientId } : {}),
  });
  const ok =
    !limited.locked &&
    (/^\s*\d{3}\s*\d{3}\s*$/.test(code)
      ? await deps.service.verifyTotp(user.id, code.replace(/\s/g, ''))
      : await deps.service.useRecoveryCode(user, code, { actor: `user:${user.id}` }));
  if (ok) {
    await limited.succeeded();
    return true;
  }
  await deps.audit.record({
    type: 'signin.failed',
    actor: 'anonymous',
    clientId: attempt.clientId ?? null,
    subject: user.id,
    address: attempt.address,
    details: { via: attempt.via, username: user.username, step: 'second_factor' },
  });
  return false;
}

/**
 * The second step of a sign-in at `/interaction/:uid`: after the right password, when a second
 * factor is needed ({@link MfaRequirement}), the interaction remembers who signed in and the page
 * asks for a code (or, for a user with no app yet where one is needed, sets one up first). A
 * session that has the password but not the second factor a client now asks for (step-up) gets
 * the code step only. Built by routes/login-and-consent.ts, which finishes the sign-in.
 */
export function mfaSignInStep(deps: {
  csrf: Csrf;
  mfa: MfaSignInDeps;
  signIns: SignInLimits;
  audit: AuditTrail;
  users: { findById(id: string): Promise<PublicUser | undefined> };
  client(details: Details): Promise<ClientDisplay>;
  /** Ends the interaction with the login result; returns where the browser goes next. */
  complete(
    ctx: Koa.Context,
    details: Details,
    user: PublicUser,
    methods: string[],
  ): Promise<string>;
}) {
  const { csrf, mfa } = deps;
  const action = (details: Details, step = '') => `/interaction/${details.uid}/mfa${step}`;

  // Who this step is for: the user who just gave the password, or the session's (step-up).
  async function pendingUser(details: Details): Promise<PublicUser | undefined> {
    const pending = (details.result as Record<string, { accountId?: string }> | undefined)?.[
      PENDING
    ];
    const stepUp = details.prompt.reasons.every((reason) => reason === MFA_REASON);
    const accountId = pending?.accountId ?? (stepUp ? details.session?.accountId : undefined);
    const user = accountId ? await deps.users.findById(accountId) : undefined;
    return user && !user.disabledAt ? user : undefined;
  }

  // How the user signed in, with the code (`otp`) or a passkey: the password just given, or (a
  // step-up) the way the session was signed in (a password, or another provider: `fed`).
  function withCode(details: Details, added: readonly string[] = ['otp']): string[] {
    const pending = (details.result as Record<string, unknown> | undefined)?.[PENDING];
    const before = pending ? ['pwd'] : ((details.session?.amr as string[] | undefined) ?? ['pwd']);
    return [...new Set([...before, ...added])];
  }

  // The code step's page: the code field when the user has an app or recovery codes, a passkey
  // button when they have passkeys (with a challenge for this interaction).
  async function codeStep(ctx: Koa.Context, details: Details, user: PublicUser, error?: Said) {
    const status = await mfa.service.status(user.id);
    const withPasskey = status.factors.some((f) => f.kind === 'passkey');
    const body = mfaCodePage({
      action: action(details),
      csrf: csrf.token(details.uid),
      client: await deps.client(details),
      codes: codeKind(status),
      ...(withPasskey
        ? {
            passkey: {
              action: action(details, '/passkey'),
              csrf: csrf.token(details.uid),
              options: await mfa.passkeys.authenticationOptions(
                interactionBinding(details.uid),
                'second_factor',
                user.id,
              ),
            },
          }
        : {}),
      ...(error ? { error } : {}),
    });
    (withPasskey ? renderWithScript : render)(ctx, error ? 401 : 200, body);
  }

  // Setting up a second factor during sign-in: an app, or a passkey made on the same page (its
  // challenge bound to this interaction). `error` is the app's, `passkeyError` the passkey's.
  async function setupStep(
    ctx: Koa.Context,
    details: Details,
    user: PublicUser,
    errors: { error?: Said; passkeyError?: Said } = {},
  ) {
    const enrolment = await mfa.service.pendingTotp(user);
    const body = totpSetupPage({
      action: action(details, '/setup'),
      csrf: csrf.token(details.uid),
      setup: await totpSetup(enrolment),
      intro: {
        key: 'mfa.setup_required',
        params: { client: say((await deps.client(details)).name) },
      },
      passkey: {
        action: action(details, '/setup/passkey'),
        csrf: csrf.token(details.uid),
        options: await mfa.passkeys.registrationOptions(user, interactionBinding(details.uid)),
        ...(errors.passkeyError ? { error: errors.passkeyError } : {}),
      },
      ...(errors.error ? { error: errors.error } : {}),
    });
    renderWithScript(ctx, errors.error ? 401 : errors.passkeyError ? 400 : 200, body);
  }

  return {
    /** Whether the user who just gave the right password must pass a second factor. */
    needed(details: Details, user: PublicUser): Promise<boolean> {
      return mfa.requirement.needed({
        accountId: user.id,
        clientId: String(details.params.client_id),
        acrValues: details.params.acr_values,
      });
    },

    /** Remembers the user in the interaction and sends the browser to the code step (303). */
    async begin(ctx: Koa.Context, details: Details, user: PublicUser): Promise<void> {
      details.result = { ...details.result, [PENDING]: { accountId: user.id } };
      await details.persist();
      ctx.status = 303;
      ctx.redirect(`/interaction/${details.uid}`);
    },

    /** The code step's page when this interaction is at it; false when it is not (password). */
    async show(ctx: Koa.Context, details: Details): Promise<boolean> {
      const user = await pendingUser(details);
      if (!user) return false;
      if (!(await mfa.service.hasFactor(user.id))) {
        await setupStep(ctx, details, user);
        return true;
      }
      await codeStep(ctx, details, user);
      return true;
    },

    /** `POST /interaction/:uid/mfa`: the code (or recovery code). */
    async submitCode(ctx: Koa.Context, details: Details): Promise<void> {
      const form = await readForm(ctx);
      if (!csrf.verify(details.uid, form.csrf)) return csrfFailed(ctx);
      const user = await pendingUser(details);
      if (!user) return restart(ctx, details);
      const clientId = String(details.params.client_id);
      const ok = await checkSecondFactor(
        { service: mfa.service, signIns: deps.signIns, audit: deps.audit },
        { user, code: form.code ?? '', address: ctx.ip, via: 'authorization', clientId },
      );
      if (!ok) return codeStep(ctx, details, user, CODE_FAILED);
      ctx.status = 303;
      ctx.redirect(await deps.complete(ctx, details, user, withCode(details)));
    },

    /** `POST /interaction/:uid/mfa/passkey`: one of the user's passkeys instead of a code. */
    async submitPasskey(ctx: Koa.Context, details: Details): Promise<void> {
      const form = await readForm(ctx);
      if (!csrf.verify(details.uid, form.csrf)) return csrfFailed(ctx);
      const user = await pendingUser(details);
      if (!user) return restart(ctx, details);
      const signedIn = await checkPasskey(
        { passkeys: mfa.passkeys, signIns: deps.signIns, audit: deps.audit, users: deps.users },
        {
          binding: interactionBinding(details.uid),
          posted: form.credential ?? '',
          address: ctx.ip,
          via: 'authorization',
          clientId: String(details.params.client_id),
          userId: user.id,
        },
      );
      if (!signedIn) return codeStep(ctx, details, user, PASSKEY_FAILED);
      ctx.status = 303;
      ctx.redirect(await deps.complete(ctx, details, user, withCode(details, PASSKEY_METHODS)));
    },

    /**
     * `POST /interaction/:uid/mfa/setup`: the first code of an app set up during sign-in. Right,
     * it turns the app on, ends the sign-in with both factors and shows the recovery codes,
     * whose link goes on to the application.
     */
    async submitSetup(ctx: Koa.Context, details: Details): Promise<void> {
      const form = await readForm(ctx);
      if (!csrf.verify(details.uid, form.csrf)) return csrfFailed(ctx);
      const user = await pendingUser(details);
      if (!user) return restart(ctx, details);
      const limited = await deps.signIns.begin({
        username: user.username,
        address: ctx.ip,
        via: 'authorization',
        clientId: String(details.params.client_id),
      });
      const codes = limited.locked
        ? undefined
        : await mfa.service.confirmTotp(user, (form.code ?? '').replace(/\s/g, ''), {
            actor: `user:${user.id}`,
          });
      if (!codes) return setupStep(ctx, details, user, { error: CODE_FAILED });
      await limited.succeeded();
      const next = await deps.complete(ctx, details, user, withCode(details));
      render(ctx, 200, recoveryCodesPage({ codes, next }));
    },

    /**
     * `POST /interaction/:uid/mfa/setup/passkey`: a passkey made on the setup page instead of an
     * app (its name and the browser's new credential). Added, it ends the sign-in with the
     * password and the passkey and shows the recovery codes that came with it, whose link goes
     * on to the application. Only for a user with no second factor yet: one who has any goes to
     * the code step, so a password alone never adds a factor to an account that has one.
     */
    async submitPasskeySetup(ctx: Koa.Context, details: Details): Promise<void> {
      const form = await readForm(ctx);
      if (!csrf.verify(details.uid, form.csrf)) return csrfFailed(ctx);
      const user = await pendingUser(details);
      if (!user || (await mfa.service.hasFactor(user.id))) return restart(ctx, details);
      const added = await mfa.passkeys
        .register(
          user,
          interactionBinding(details.uid),
          { name: form.name ?? '', posted: form.credential ?? '' },
          { actor: `user:${user.id}` },
        )
        .catch((error: unknown) => {
          if ((error as { code?: string }).code !== 'invalid_input') throw error;
          return undefined;
        });
      if (!added) return setupStep(ctx, details, user, { passkeyError: PASSKEY_NOT_CREATED });
      await mfa.service.dropPendingTotp(user.id);
      const next = await deps.complete(ctx, details, user, withCode(details, PASSKEY_METHODS));
      if (!added.recoveryCodes) {
        ctx.status = 303;
        return ctx.redirect(next);
      }
      render(ctx, 200, recoveryCodesPage({ codes: added.recoveryCodes, next, factor: 'passkey' }));
    },
  };

  function restart(ctx: Koa.Context, details: Details) {
    ctx.status = 303;
    ctx.redirect(`/interaction/${details.uid}`);
  }
}
