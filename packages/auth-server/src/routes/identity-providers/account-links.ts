import type Koa from 'koa';
import type Provider from 'oidc-provider';
import type { Logger } from '../../observability/logger.ts';
import type { AccountLinksService } from '../../services/identity-providers/account-links-service.ts';
import type { IdentityProvidersService } from '../../services/identity-providers/identity-providers-service.ts';
import type {
  UpstreamChecks,
  UpstreamClient,
} from '../../services/identity-providers/upstream-client.ts';
import type { PublicUser } from '../../services/users-service.ts';
import type { SafeHtml } from '../../views/html.ts';
import type { Said } from '../../views/i18n.ts';
import { identityProvidersSection } from '../../views/identity-providers-section.ts';
import { messagePage } from '../../views/message-page.ts';
import type { Csrf } from '../forms/csrf.ts';
import { accountCsrfBinding } from '../forms/csrf-cookie.ts';
import { readForm } from '../forms/read-form.ts';
import { csrfFailed, render } from '../respond.ts';
import type { UpstreamStates } from './upstream-state.ts';

/** What linking providers from /account needs. */
export interface AccountLinkDeps {
  provider: Provider;
  idps: IdentityProvidersService;
  links: AccountLinksService;
  upstream: UpstreamClient;
  states: UpstreamStates;
  users: { findById(id: string): Promise<PublicUser | undefined> };
  csrf: Csrf;
  logger: Logger;
}

/**
 * The providers on /account: a section listing each provider, linked or not; "Link" starts the
 * upstream leg from /account (PKCE, state and nonce, in the same encrypted state cookie per trip
 * as a sign-in: upstream-state.ts), and the callback (routes/identity-providers, which hands a
 * trip of /account here) links the account the provider vouched for to the user who is still
 * signed in and started it; "Unlink" removes a link unless it is the user's last way to sign in.
 * Audited by the service. The handlers sit behind the identity providers' page boundary.
 *
 * @example
 * const links = accountLinks(deps);
 * const section = await links.section(ctx, user, csrfToken);
 */
export function accountLinks(deps: AccountLinkDeps) {
  const { csrf, states } = deps;
  const currentUser = async (ctx: Koa.Context) => {
    const session = await deps.provider.Session.get(ctx);
    const user = session.accountId ? await deps.users.findById(session.accountId) : undefined;
    return user && !user.disabledAt ? user : undefined;
  };
  const backToAccount = (ctx: Koa.Context) => {
    ctx.status = 303;
    ctx.redirect('/account');
  };
  // The form's CSRF token and the signed-in user; undefined (answered) otherwise.
  const signedInForm = async (ctx: Koa.Context) => {
    const form = await readForm(ctx);
    if (!csrf.verify(accountCsrfBinding(ctx), form.csrf)) return void csrfFailed(ctx);
    const user = await currentUser(ctx);
    if (!user) return void backToAccount(ctx);
    return user;
  };
  const notLinked = (ctx: Koa.Context, status: number, message: Said) =>
    render(
      ctx,
      status,
      messagePage('providers_account.not_linked_title', message, 'providers_account.back'),
    );

  return {
    /** The account page's section for `user`; empty when the server has no provider. */
    async section(user: PublicUser, csrfToken: string): Promise<SafeHtml> {
      const linked = new Map((await deps.links.linksOf(user.id)).map((l) => [l.id, l.linkedAt]));
      const providers = (await deps.idps.list()).map((p) => ({
        id: p.id,
        name: p.name,
        linkedAt: linked.get(p.id) ?? null,
      }));
      return identityProvidersSection(providers, csrfToken);
    },

    /** `POST /account/identity-providers/:idp/link`: off to the provider. */
    async link(ctx: Koa.Context): Promise<void> {
      const user = await signedInForm(ctx);
      if (!user) return;
      const idp = await deps.idps.upstream(ctx.params.idp ?? '');
      if (!idp) return backToAccount(ctx);
      const { url, checks } = await deps.upstream.begin(idp);
      states.save(ctx, { linkFor: user.id, idp: idp.id, checks });
      ctx.status = 303;
      ctx.redirect(url.href);
    },

    /**
     * Back from the provider with a trip of /account (`GET /idp/callback`): the code redeemed,
     * the upstream account linked to the user who started the trip, if still signed in.
     */
    async finish(
      ctx: Koa.Context,
      state: { linkFor: string; idp: string; checks: UpstreamChecks },
    ): Promise<void> {
      // One use: a replayed callback finds no state.
      states.clear(ctx, { state: state.checks.state });
      const user = await currentUser(ctx);
      if (!user || user.id !== state.linkFor) {
        return notLinked(ctx, 400, 'providers_account.ended');
      }
      const idp = await deps.idps.upstream(state.idp);
      if (!idp) return backToAccount(ctx);
      const account = await deps.upstream.finish(idp, ctx.querystring, state.checks);
      try {
        await deps.links.link(idp, account, user.id, { address: ctx.ip });
      } catch (error) {
        if ((error as { code?: string }).code !== 'conflict') throw error;
        return notLinked(ctx, 409, {
          key: 'providers_account.taken',
          params: { provider: idp.name },
        });
      }
      deps.logger.info('identity provider linked', { sub: user.id, idp: idp.id });
      backToAccount(ctx);
    },

    /** `POST /account/identity-providers/:idp/unlink`: refused for the last way to sign in. */
    async unlink(ctx: Koa.Context): Promise<void> {
      const user = await signedInForm(ctx);
      if (!user) return;
      const providerId = ctx.params.idp ?? '';
      try {
        await deps.links.unlink(providerId, user.id, { address: ctx.ip });
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === 'not_found') return backToAccount(ctx);
        if (code !== 'invalid_input') throw error;
        const name = (await deps.links.linksOf(user.id)).find((l) => l.id === providerId)?.name;
        return render(
          ctx,
          400,
          messagePage(
            'providers_account.last_way_title',
            { key: 'providers_account.last_way', params: { provider: name ?? providerId } },
            'providers_account.last_way_hint',
          ),
        );
      }
      backToAccount(ctx);
    },
  };
}
