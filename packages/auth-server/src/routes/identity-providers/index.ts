import type Koa from 'koa';
import type Provider from 'oidc-provider';
import type { SignInLimits } from '../../limits/sign-in-limits.ts';
import type { Logger } from '../../observability/logger.ts';
import type { AuditTrail } from '../../services/audit.ts';
import type { AccountLinksService } from '../../services/identity-providers/account-links-service.ts';
import type {
  IdentityProvidersService,
  UpstreamAccount,
  UpstreamProvider,
} from '../../services/identity-providers/identity-providers-service.ts';
import type { UpstreamClient } from '../../services/identity-providers/upstream-client.ts';
import { UpstreamError } from '../../services/identity-providers/upstream-error.ts';
import type { PublicUser } from '../../services/users-service.ts';
import { type Said, t } from '../../views/i18n.ts';
import { linkAccountPage } from '../../views/identity-provider-pages.ts';
import { messagePage } from '../../views/message-page.ts';
import type { Csrf } from '../forms/csrf.ts';
import { readForm } from '../forms/read-form.ts';
import { expired, type InteractionDetails, type SignedInVia } from '../login-and-consent.ts';
import { behindBoundary, csrfFailed, pageBoundary, render } from '../respond.ts';
import type { RouteHandler } from '../route.ts';
import { accountLinks as createAccountLinks } from './account-links.ts';
import type { UpstreamStates } from './upstream-state.ts';

/** Where every provider sends the browser back: register `<issuer>/idp/callback` there. */
export const IDP_CALLBACK_PATH = '/idp/callback';

/** What the "Sign in with" routes need. */
export interface IdentityProviderRoutesDeps {
  provider: Provider;
  idps: IdentityProvidersService;
  upstream: UpstreamClient;
  states: UpstreamStates;
  users: {
    authenticate(username: string, password: string): Promise<PublicUser | undefined>;
    findById(id: string): Promise<PublicUser | undefined>;
  };
  csrf: Csrf;
  logger: Logger;
  audit: AuditTrail;
  signIns: SignInLimits;
  /** The user's own links, on /account (account-links.ts). */
  links: AccountLinksService;
}

/** The handlers of the "Sign in with" routes; see {@link identityProviderRoutes}. */
export interface IdentityProviderRoutes {
  /** `POST /interaction/:uid/idp/:idp`: a login page's button; off to the provider. */
  start: RouteHandler;
  /** `GET /idp/callback`: back from the provider; on to the interaction it belongs to. */
  callback: RouteHandler;
  /** `GET /interaction/:uid/idp/callback`: the code redeemed, the user found, linked or made. */
  resume: RouteHandler;
  /** `POST /interaction/:uid/idp-link`: the password that links an account with the same e-mail. */
  submitLink: RouteHandler;
  /** `POST /account/identity-providers/:idp/link`: /account's "Link", off to the provider. */
  accountLink: RouteHandler;
  /** `POST /account/identity-providers/:idp/unlink`: /account's "Unlink". */
  accountUnlink: RouteHandler;
  /** The account page's section of providers, linked or not (account-links.ts). */
  accountSection: ReturnType<typeof createAccountLinks>['section'];
}

type SignedIn = (
  ctx: Koa.Context,
  details: InteractionDetails,
  user: PublicUser,
  via: SignedInVia,
) => Promise<void>;

const LINK_FAILED = 'link.failed';

/**
 * "Sign in with" another identity provider, from the login page of an authorization: the
 * upstream leg with PKCE, state and nonce (services/identity-providers/upstream-client.ts), its
 * state in an encrypted cookie (upstream-state.ts), then the user: the one linked to the upstream
 * account; or, when the provider verified an e-mail that one user here has, that user once they
 * confirm their password; or a new user when the provider creates users just in time; otherwise
 * a page saying no account is linked. `signedIn` ends the login step as the password form does.
 *
 * @example
 * const idp = identityProviderRoutes(deps, interaction.signedIn);
 */
export function identityProviderRoutes(
  deps: IdentityProviderRoutesDeps,
  signedIn: SignedIn,
): IdentityProviderRoutes {
  const { provider, csrf, states } = deps;
  const boundary = pageBoundary((ctx, error) => {
    if (error instanceof UpstreamError) {
      const log = error.code === 'provider_unusable' ? deps.logger.error : deps.logger.warn;
      log.call(deps.logger, 'sign-in through an identity provider failed', {
        code: error.code,
        idp: error.provider,
        error: error.message,
      });
      upstreamFailed(ctx, error);
      return true;
    }
    if ((error as { name?: unknown })?.name !== 'SessionNotFound') return false;
    expired(ctx);
    return true;
  });
  const guarded = behindBoundary(boundary);
  const accountLinks = createAccountLinks(deps);

  // The interaction of this login page, when it is still at its login step.
  const loginStep = async (ctx: Koa.Context, uid: string | undefined) => {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    return details.uid === uid && details.prompt.name === 'login' ? details : undefined;
  };

  const start = guarded(async (ctx) => {
    const details = await loginStep(ctx, ctx.params.uid);
    const form = await readForm(ctx);
    if (!details) return expired(ctx);
    if (!csrf.verify(details.uid, form.csrf)) return csrfFailed(ctx);
    const idp = await deps.idps.upstream(ctx.params.idp ?? '');
    if (!idp) return gone(ctx);
    const { url, checks } = await deps.upstream.begin(idp);
    states.save(ctx, { uid: details.uid, idp: idp.id, checks });
    ctx.status = 303;
    ctx.redirect(url.href);
  });

  // The provider's redirect: the interaction's cookie is scoped to its own path, so the browser
  // goes on there with the provider's answer (a code bound to our PKCE verifier: useless alone).
  const callback = guarded(async (ctx) => {
    const state = states.read(ctx, { state: String(ctx.query.state ?? '') });
    if (!state || !('checks' in state)) return expired(ctx);
    if ('linkFor' in state) return accountLinks.finish(ctx, state);
    ctx.status = 303;
    ctx.redirect(`/interaction/${state.uid}/idp/callback${ctx.search}`);
  });

  const resume = guarded(async (ctx) => {
    const key = { state: String(ctx.query.state ?? '') };
    const state = states.read(ctx, key);
    const details = await loginStep(ctx, ctx.params.uid);
    if (!details || !state || !('checks' in state) || !('uid' in state)) return expired(ctx);
    if (state.uid !== details.uid) return expired(ctx);
    // One use: a replayed callback finds no state.
    states.clear(ctx, key);
    const idp = await deps.idps.upstream(state.idp);
    if (!idp) return gone(ctx);
    const account = await deps.upstream.finish(idp, ctx.querystring, state.checks);
    const context = { address: ctx.ip, clientId: String(details.params.client_id) };

    const linked = await deps.idps.linkedUser(idp.id, account.sub);
    if (linked) {
      if (linked.disabledAt) return refuse(ctx, idp, 'disabled', context);
      return signedIn(ctx, details, linked, { amr: ['fed'], idp: idp.id });
    }
    const candidate = account.verifiedEmail
      ? await deps.idps.linkCandidate(idp.id, account.verifiedEmail)
      : undefined;
    if (candidate) {
      states.save(ctx, { uid: details.uid, idp: idp.id, account, userId: candidate.id });
      return render(ctx, 200, linkPage(details.uid, idp, account));
    }
    if (!idp.jit) return refuse(ctx, idp, 'not_linked', context);
    const created = await deps.idps.createLinkedUser(idp, account, context);
    deps.logger.info('user created by an identity provider', { sub: created.id, idp: idp.id });
    return signedIn(ctx, details, created, { amr: ['fed'], idp: idp.id });
  });

  const submitLink = guarded(async (ctx) => {
    const details = await loginStep(ctx, ctx.params.uid);
    const form = await readForm(ctx);
    const state = details ? states.read(ctx, { uid: details.uid }) : undefined;
    if (!details || !state || !('account' in state) || state.uid !== details.uid) {
      return expired(ctx);
    }
    if (!csrf.verify(details.uid, form.csrf)) return csrfFailed(ctx);
    const idp = await deps.idps.upstream(state.idp);
    const user = await deps.users.findById(state.userId);
    if (!idp || !user) return gone(ctx);
    const clientId = String(details.params.client_id);
    // The password counts against the account's and the address's sign-in limits.
    const attempt = await deps.signIns.begin({
      username: user.username,
      address: ctx.ip,
      via: 'authorization',
      clientId,
    });
    const confirmed = attempt.locked
      ? undefined
      : await deps.users.authenticate(user.username, form.password ?? '');
    if (confirmed?.id !== user.id) {
      await deps.audit.signInFailed({
        username: user.username,
        address: ctx.ip,
        via: 'authorization',
        clientId,
      });
      return render(ctx, 401, linkPage(details.uid, idp, state.account, LINK_FAILED));
    }
    await attempt.succeeded();
    await deps.idps.link(idp, state.account, user, { address: ctx.ip, clientId, by: 'password' });
    states.clear(ctx, { uid: details.uid });
    return signedIn(ctx, details, user, { amr: ['fed'], idp: idp.id });
  });

  return {
    start,
    callback,
    resume,
    submitLink,
    accountLink: guarded(accountLinks.link),
    accountUnlink: guarded(accountLinks.unlink),
    accountSection: accountLinks.section,
  };

  function linkPage(uid: string, idp: UpstreamProvider, account: UpstreamAccount, error?: Said) {
    return linkAccountPage({
      action: `/interaction/${uid}/idp-link`,
      csrf: csrf.token(uid),
      provider: idp.name,
      email: account.verifiedEmail ?? '',
      ...(error ? { error } : {}),
    });
  }

  async function refuse(
    ctx: Koa.Context,
    idp: UpstreamProvider,
    reason: 'not_linked' | 'disabled',
    context: { address: string; clientId: string },
  ) {
    await deps.idps.refused(idp, reason, context);
    render(
      ctx,
      403,
      messagePage(
        reason === 'disabled' ? 'idp.disabled_title' : 'idp.no_account_title',
        {
          key: reason === 'disabled' ? 'idp.disabled' : 'idp.no_account',
          params: { provider: idp.name },
        },
        'idp.no_account_hint',
      ),
    );
  }
}

function upstreamFailed(ctx: Koa.Context, error: UpstreamError): void {
  const provider = error.provider ?? t('idp.the_provider');
  if (error.code === 'provider_unusable') {
    render(
      ctx,
      503,
      messagePage(
        'idp.unusable_title',
        { key: 'idp.unusable', params: { provider } },
        'idp.unusable_hint',
      ),
    );
    return;
  }
  if (error.code === 'upstream_unreachable') {
    ctx.set('Retry-After', '30');
    render(
      ctx,
      502,
      messagePage(
        'idp.unreachable_title',
        { key: 'idp.unreachable', params: { provider } },
        'idp.unreachable_hint',
      ),
    );
    return;
  }
  render(
    ctx,
    400,
    messagePage(
      'idp.unverified_title',
      { key: 'idp.unverified', params: { provider } },
      'expired.hint',
    ),
  );
}

function gone(ctx: Koa.Context): void {
  render(ctx, 404, messagePage('idp.gone_title', 'idp.gone', 'idp.gone_hint'));
}
