import type { NewAuditEvent } from '@portcullis/storage';
import type Koa from 'koa';
import type Provider from 'oidc-provider';
import { authenticationContext } from '../domain/mfa.ts';
import { OIDC_SCOPE_DESCRIPTIONS } from '../domain/oidc-scopes.ts';
import type { SignInLimits } from '../limits/sign-in-limits.ts';
import type { Logger } from '../observability/logger.ts';
import { batchArtifactWrites, deferAudit } from '../provider/artifact-reads.ts';
import type { UserRoles } from '../provider/user-roles.ts';
import type { ClientRegistry } from '../registry/client-registry.ts';
import type { ResourceRegistry } from '../registry/resource-registry.ts';
import type { AuditTrail } from '../services/audit.ts';
import { newId } from '../services/new-id.ts';
import type { PublicUser } from '../services/users-service.ts';
import { consentPage } from '../views/consent-page.ts';
import { contentSecurityPolicy } from '../views/html.ts';
import { type Said, verbatim } from '../views/i18n.ts';
import { loginPage } from '../views/login-page.ts';
import { messagePage } from '../views/message-page.ts';
import type { ScopeLine } from '../views/scope-list.ts';
import type { Csrf } from './forms/csrf.ts';
import { readForm } from './forms/read-form.ts';
import { type MfaSignInDeps, mfaSignInStep } from './mfa-sign-in.ts';
import {
  checkPasskey,
  interactionBinding,
  PASSKEY_FAILED,
  PASSKEY_METHODS,
} from './passkey-sign-in.ts';
import {
  behindBoundary,
  csrfFailed,
  LOGIN_FAILED,
  pageBoundary,
  render,
  renderWithScript,
} from './respond.ts';
import type { RouteHandler } from './route.ts';

/** What the login and consent routes need. */
export interface LoginAndConsentDeps {
  provider: Provider;
  clients: ClientRegistry;
  resources: ResourceRegistry;
  /** The user's roles: an approved role-gated scope is listed only while a role holds it. */
  roles: UserRoles;
  users: {
    authenticate(username: string, password: string): Promise<PublicUser | undefined>;
    findById(id: string): Promise<PublicUser | undefined>;
  };
  csrf: Csrf;
  /** oidc-provider's long-lived cookie options, to clear the session cookie as it would. */
  sessionCookie: Record<string, unknown>;
  logger: Logger;
  audit: AuditTrail;
  /** Failed sign-ins per account and per address; a locked attempt reads as a wrong password. */
  signIns: SignInLimits;
  /** The other identity providers, a "Sign in with" button each on the login page. */
  identityProviders: { list(): Promise<Array<{ id: string; name: string }>> };
  /** Mail is on: the login page offers "Forgot your password?". */
  mailEnabled?: boolean;
  /** Open sign-up (PORTCULLIS_SIGNUP=open, mail on): the login page offers "Create an account". */
  openSignup?: boolean;
  /** Second factors: when one is needed, and the codes (routes/mfa-sign-in.ts). */
  mfa: MfaSignInDeps;
}

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

/** The handlers of the login and consent routes; see {@link loginAndConsentRoutes}. */
export interface LoginAndConsentRoutes {
  /** `GET /interaction/:uid`: the login page, or the consent page, as the prompt asks. */
  show: RouteHandler;
  /** `POST /interaction/:uid/login`: the login page's form. */
  submitLogin: RouteHandler;
  /** `POST /interaction/:uid/confirm`: the consent page's form. */
  submitConsent: RouteHandler;
  /**
   * Ends the login step as `user` (audited `signin.succeeded` with `via`), as a password does:
   * for the other ways of signing in (routes/identity-providers).
   */
  signedIn: (
    ctx: Koa.Context,
    details: Details,
    user: PublicUser,
    via: SignedInVia,
  ) => Promise<void>;
  /** `POST /interaction/:uid/mfa`: the second step's code. */
  submitCode: RouteHandler;
  /** `POST /interaction/:uid/mfa/setup`: the first code of an app set up during sign-in. */
  submitSetup: RouteHandler;
  /** `POST /interaction/:uid/mfa/setup/passkey`: a passkey made instead of setting up an app. */
  submitPasskeySetup: RouteHandler;
  /** `POST /interaction/:uid/mfa/passkey`: a passkey as the second step. */
  submitPasskey: RouteHandler;
  /** `POST /interaction/:uid/passkey`: the login page's "Sign in with a passkey". */
  submitPasswordless: RouteHandler;
}

/** How a sign-in other than the password form proved the user: `idp` names the provider. */
export interface SignedInVia {
  /** RFC 8176 methods for the session (`fed`: through another provider). */
  amr?: string[];
  idp?: string;
}

/** What `provider.interactionDetails` gives: the interaction a page belongs to. */
export type InteractionDetails = Details;

/**
 * The login and consent pages oidc-provider sends the browser to (`/interaction/:uid`), each
 * behind the page boundary (an expired interaction gets a page saying so). Every POST carries a
 * CSRF token bound to the interaction and answers with a 303. Mounted by routes/route-table.ts.
 *
 * @example
 * const { show, submitLogin, submitConsent } = loginAndConsentRoutes(deps);
 */
export function loginAndConsentRoutes(deps: LoginAndConsentDeps): LoginAndConsentRoutes {
  const { provider, csrf } = deps;
  const boundary = pageBoundary((ctx, error) => {
    if (!isSessionNotFound(error)) return false;
    expired(ctx);
    return true;
  });
  const guarded = behindBoundary(boundary);
  const secondStep = mfaSignInStep({
    csrf,
    mfa: deps.mfa,
    signIns: deps.signIns,
    audit: deps.audit,
    users: deps.users,
    client: async (details) => (await formBase(details)).client,
    complete: (ctx, details, user, methods) => completeSignIn(ctx, details, user, { amr: methods }),
  });

  const show = guarded(async (ctx) => {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.uid !== ctx.params.uid) return expired(ctx);
    if (details.prompt.name === 'login') {
      if (await secondStep.show(ctx, details)) return;
      return showLogin(ctx, details, 200);
    }
    if (details.prompt.name === 'consent') {
      // First-party clients are ours: never ask (even on prompt=consent, which OpenID Connect
      // requires for offline_access). Everything requested is granted.
      const client = await deps.clients.get(String(details.params.client_id));
      if (client?.record.firstParty) {
        return batchArtifactWrites(async () =>
          finish(ctx, { consent: { grantId: await saveGrant(details) } }, { merge: true }),
        );
      }
      return render(ctx, 200, await consent(ctx, details));
    }
    return render(ctx, 400, messagePage('step.title', 'step.message', 'step.hint'));
  });

  const submitLogin = guarded(async (ctx) => {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const form = await readForm(ctx);
    if (details.uid !== ctx.params.uid || details.prompt.name !== 'login') return expired(ctx);
    if (!csrf.verify(details.uid, form.csrf)) return csrfFailed(ctx);
    const clientId = String(details.params.client_id);
    const attempt = await deps.signIns.begin({
      username: form.username ?? '',
      address: ctx.ip,
      via: 'authorization',
      clientId,
    });
    const user = attempt.locked
      ? undefined
      : await deps.users.authenticate(form.username ?? '', form.password ?? '');
    if (!user) {
      deps.logger.info('sign-in failed', { client_id: details.params.client_id });
      await deps.audit.signInFailed({
        username: form.username ?? '',
        address: ctx.ip,
        via: 'authorization',
        clientId,
      });
      return showLogin(ctx, details, 401, { username: form.username ?? '', error: LOGIN_FAILED });
    }
    if (await secondStep.needed(details, user)) {
      await attempt.passed();
      return secondStep.begin(ctx, details, user);
    }
    await attempt.succeeded();
    ctx.status = 303;
    ctx.redirect(await completeSignIn(ctx, details, user, { amr: ['pwd'] }));
  });

  // Another way of signing in (routes/identity-providers) ends the login step as a password does.
  async function signedIn(ctx: Koa.Context, details: Details, user: PublicUser, via: SignedInVia) {
    ctx.status = 303;
    ctx.redirect(await completeSignIn(ctx, details, user, via));
  }

  // The code step of the same interaction; both answer only while it is at the login prompt.
  const atLogin = (handler: (ctx: Koa.Context, details: Details) => Promise<void>) =>
    guarded(async (ctx) => {
      const details = await provider.interactionDetails(ctx.req, ctx.res);
      if (details.uid !== ctx.params.uid || details.prompt.name !== 'login') return expired(ctx);
      await handler(ctx, details);
    });
  const submitCode = atLogin(secondStep.submitCode);
  const submitSetup = atLogin(secondStep.submitSetup);
  const submitPasskeySetup = atLogin(secondStep.submitPasskeySetup);
  const submitPasskey = atLogin(secondStep.submitPasskey);

  // A passkey alone (discoverable, the user verified by the authenticator): signed in with the
  // mfa acr, the second step skipped. Off with second factors (PORTCULLIS_MFA=off).
  const submitPasswordless = atLogin(async (ctx, details) => {
    const form = await readForm(ctx);
    if (!csrf.verify(details.uid, form.csrf)) return csrfFailed(ctx);
    const clientId = String(details.params.client_id);
    const user =
      deps.mfa.requirement.policy === 'off'
        ? undefined
        : await checkPasskey(
            {
              passkeys: deps.mfa.passkeys,
              signIns: deps.signIns,
              audit: deps.audit,
              users: deps.users,
            },
            {
              binding: interactionBinding(details.uid),
              posted: form.credential ?? '',
              address: ctx.ip,
              via: 'authorization',
              clientId,
            },
          );
    if (!user) return showLogin(ctx, details, 401, { error: PASSKEY_FAILED });
    ctx.status = 303;
    ctx.redirect(await completeSignIn(ctx, details, user, { amr: [...PASSKEY_METHODS] }));
  });

  const submitConsent = guarded(async (ctx) => {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const form = await readForm(ctx);
    if (details.uid !== ctx.params.uid || details.prompt.name !== 'consent') return expired(ctx);
    if (!csrf.verify(details.uid, form.csrf)) return csrfFailed(ctx);
    if (form.decision === 'deny') {
      return finish(
        ctx,
        { error: 'access_denied', error_description: 'the user denied the request' },
        { merge: false },
      );
    }
    if (form.decision !== 'approve') {
      return render(ctx, 400, messagePage('refused.title', 'refused.choose'));
    }
    // The grant, the interaction's result and the audit event in one statement, before the 303.
    await batchArtifactWrites(async () => {
      const grantId = await saveGrant(details);
      const accountId = details.session?.accountId as string;
      await recordWithResult({
        type: 'consent.granted',
        actor: `user:${accountId}`,
        clientId: String(details.params.client_id),
        subject: accountId,
        address: ctx.ip,
        details: { grant_id: grantId, ...consented(details) },
      });
      await finish(ctx, { consent: { grantId } }, { merge: true });
    });
  });

  return {
    show,
    submitLogin,
    submitConsent,
    signedIn,
    submitCode,
    submitSetup,
    submitPasskeySetup,
    submitPasskey,
    submitPasswordless,
  };

  // The login page, with "Sign in with a passkey" (a challenge for this interaction) unless
  // second factors are off.
  async function showLogin(
    ctx: Koa.Context,
    details: Details,
    status: number,
    extra: { username?: string; error?: Said } = {},
  ) {
    const base = await loginBase(details);
    if (deps.mfa.requirement.policy === 'off') {
      return render(ctx, status, loginPage({ ...base, ...extra }));
    }
    const passkey = {
      action: `/interaction/${details.uid}/passkey`,
      csrf: base.csrf,
      options: await deps.mfa.passkeys.authenticationOptions(
        interactionBinding(details.uid),
        'passwordless',
      ),
    };
    renderWithScript(ctx, status, loginPage({ ...base, ...extra, passkey }));
  }

  // The user signed in with these methods (and through this provider): recorded, and the
  // interaction's login result (with its acr and amr, which the ID token carries). Returns where
  // the browser goes next.
  async function completeSignIn(
    ctx: Koa.Context,
    details: Details,
    user: PublicUser,
    via: SignedInVia,
  ): Promise<string> {
    const methods = via.amr ?? [];
    deps.logger.info('sign-in', { sub: user.id, client_id: details.params.client_id });
    await recordWithResult({
      type: 'signin.succeeded',
      actor: `user:${user.id}`,
      clientId: String(details.params.client_id),
      subject: user.id,
      address: ctx.ip,
      details: {
        via: 'authorization',
        username: user.username,
        amr: methods,
        ...(via.idp ? { idp: via.idp } : {}),
      },
    });
    await replaceOtherSession(ctx, details, user.id);
    return provider.interactionResult(
      ctx.req,
      ctx.res,
      { login: { accountId: user.id, ...authenticationContext(methods) } },
      { mergeWithLastSubmission: false },
    );
  }

  // An audit event of the step the interaction's result ends: written in the statement that saves
  // the result (provider/artifact-reads.ts), so the trail has it exactly when the step counted.
  async function recordWithResult(event: NewAuditEvent): Promise<void> {
    if (!deferAudit(event)) await deps.audit.record(event);
  }

  async function finish(
    ctx: Koa.Context,
    result: Record<string, unknown>,
    options: { merge: boolean },
  ) {
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, {
      mergeWithLastSubmission: options.merge,
    });
    ctx.status = 303;
    ctx.redirect(returnTo);
  }

  // A sign-in gets a session of its own. One of another account (prompt=login, or a sign-in in
  // another tab) is signed out, as /account's "Sign out" does: left to oidc-provider, the switch
  // goes through its logout form, whose revocation of the other account's grants also deleted
  // this interaction (the adapter revokes by grant id across models), a 400 page. An anonymous
  // one is dropped with what it holds: a logout confirmation from before the sign-in (the
  // /session/end form, shown when scripts are off), posted later, ended this sign-in, a 400 page
  // after consent; now it finds nothing to confirm. Only a fresh browser (`new`: no cookie) or
  // the same account's session is kept.
  async function replaceOtherSession(ctx: Koa.Context, details: Details, accountId: string) {
    const session = await provider.Session.get(ctx);
    const stored = !(session as unknown as { new?: boolean }).new;
    if (stored && session.accountId !== accountId) {
      await session.destroy();
      provider
        .createContext(ctx.req, ctx.res)
        .cookies.set(provider.cookieName('session'), null, deps.sessionCookie);
    }
    // The interaction is bound to the session it started in; that one is gone or another's.
    if (details.session && details.session.accountId !== accountId) {
      details.session = undefined;
      await details.persist();
    }
  }

  // The login page's form, and a "Sign in with" button per identity provider.
  async function loginBase(details: Details) {
    const providers = await deps.identityProviders.list();
    return {
      ...(await formBase(details)),
      action: `/interaction/${details.uid}/login`,
      providers: providers.map((idp) => ({
        name: idp.name,
        action: `/interaction/${details.uid}/idp/${idp.id}`,
      })),
    };
  }

  async function formBase(details: Details) {
    const client = await deps.clients.get(String(details.params.client_id));
    return {
      forgotPassword: deps.mailEnabled === true,
      signUp: deps.openSignup === true,
      csrf: csrf.token(details.uid),
      client: {
        name: client ? verbatim(client.record.name) : 'login.unknown_client',
        homepage: client?.record.clientUri ?? undefined,
        logo: client?.record.logoUri ?? undefined,
      },
    };
  }

  async function consent(ctx: Koa.Context, details: Details): Promise<string> {
    const base = await formBase(details);
    // A logo on a loopback http origin (development) is allowed by the CSP of this page only.
    if (base.client.logo) {
      ctx.set('Content-Security-Policy', contentSecurityPolicy(originOf(base.client.logo)));
    }
    const accountId = details.session?.accountId;
    const user = accountId ? await deps.users.findById(accountId) : undefined;
    return consentPage({
      ...base,
      action: `/interaction/${details.uid}/confirm`,
      username: user?.username ?? '',
      scopes: await requestedScopes(details),
      granted: await grantedScopes(details),
    });
  }

  // What the grant lacks, with the descriptions registered on each resource.
  async function requestedScopes(details: Details): Promise<ScopeLine[]> {
    const prompt = details.prompt.details as {
      missingOIDCScope?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    return describeScopes(prompt.missingOIDCScope ?? [], prompt.missingResourceScopes ?? {});
  }

  // What the user already approved for this app, in this browser or another one: shown apart,
  // so the page asks only for what is new (or, on prompt=consent, confirms what was given). An
  // approved role-gated scope the user no longer holds through a role stays in the grant (the
  // role alone decides, as at a refresh) but is not listed: the app does not get it.
  async function grantedScopes(details: Details): Promise<ScopeLine[]> {
    const grant = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
    if (!grant) return [];
    const resources: Record<string, string[]> = {};
    for (const [identifier, scope] of Object.entries(grant.resources ?? {})) {
      resources[identifier] = await withoutUnheldGated(
        grant.accountId as string,
        identifier,
        String(scope).split(' ').filter(Boolean),
      );
    }
    return describeScopes(grant.getOIDCScope().split(' ').filter(Boolean), resources);
  }

  // `scopes` of a resource less its role-gated ones that no role of the user holds.
  async function withoutUnheldGated(
    userId: string,
    identifier: string,
    scopes: string[],
  ): Promise<string[]> {
    const resource = await deps.resources.get(identifier);
    if (!resource || resource.roleGatedScopes.length === 0) return scopes;
    const gated = new Set(resource.roleGatedScopes);
    const held = new Set((await deps.roles.onResource(userId, identifier)).scopes);
    return scopes.filter((s) => !gated.has(s) || held.has(s));
  }

  // OpenID scopes (`openid` alone only when nothing else is listed) and each resource's scopes,
  // with the descriptions registered on the resource.
  async function describeScopes(
    oidcScopes: string[],
    resourceScopes: Record<string, string[]>,
  ): Promise<ScopeLine[]> {
    const lines: ScopeLine[] = oidcScopes
      .filter((s) => s !== 'openid' || oidcScopes.length === 1)
      .map((name) => ({ name, description: OIDC_SCOPE_DESCRIPTIONS[name] ?? name }));
    for (const [identifier, scopes] of Object.entries(resourceScopes)) {
      const resource = await deps.resources.get(identifier);
      for (const name of scopes) {
        const described = resource?.scopes.find((s) => s.name === name);
        lines.push({
          name,
          description: described?.description ?? name,
          resource: resource?.name ?? identifier,
        });
      }
    }
    return lines;
  }

  async function saveGrant(details: Details): Promise<string> {
    const accountId = details.session?.accountId as string;
    const clientId = String(details.params.client_id);
    // oidc-provider takes a new grant's id (jti) from its payload; its types leave jti out.
    const fresh = { jti: newId(), accountId, clientId } as {
      accountId: string;
      clientId: string;
    };
    const grant = details.grantId
      ? ((await provider.Grant.find(details.grantId)) ?? new provider.Grant(fresh))
      : new provider.Grant(fresh);
    const prompt = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (prompt.missingOIDCScope) grant.addOIDCScope(prompt.missingOIDCScope.join(' '));
    if (prompt.missingOIDCClaims) grant.addOIDCClaims(prompt.missingOIDCClaims);
    for (const [identifier, scopes] of Object.entries(prompt.missingResourceScopes ?? {})) {
      grant.addResourceScope(identifier, scopes.join(' '));
    }
    return grant.save();
  }
}

// What this consent adds to the grant: OpenID scopes and the scopes of each resource.
function consented(details: Details): { scope: string; resources: Record<string, string> } {
  const prompt = details.prompt.details as {
    missingOIDCScope?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  const resources: Record<string, string> = {};
  for (const [identifier, scopes] of Object.entries(prompt.missingResourceScopes ?? {})) {
    resources[identifier] = scopes.join(' ');
  }
  return { scope: (prompt.missingOIDCScope ?? []).join(' '), resources };
}

function originOf(url: string): string | undefined {
  return URL.canParse(url) ? new URL(url).origin : undefined;
}

/** The page of a sign-in that is over (or never was): start again from the application. */
export function expired(ctx: Koa.Context): void {
  render(ctx, 400, messagePage('expired.title', 'expired.message', 'expired.hint'));
}

function isSessionNotFound(error: unknown): boolean {
  return (error as { name?: unknown })?.name === 'SessionNotFound';
}
