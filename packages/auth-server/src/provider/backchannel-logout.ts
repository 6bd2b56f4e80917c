import type Koa from 'koa';
import type Provider from 'oidc-provider';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { fetchAllowingLoopback } from './client-assertions.ts';

// oidc-provider's Client model sends the logout token itself; its typings leave the method out.
interface LogoutClient {
  clientId: string;
  backchannelLogoutUri?: string;
  backchannelLogoutSessionRequired?: boolean;
  backchannelLogout(sub: string, sid: string | undefined): Promise<void>;
}

// A session as oidc-provider keeps it: the account, and one entry (with its `sid`) per client
// the user signed in to through it.
interface SignedInSession {
  accountId?: string;
  authorizations?: Record<string, unknown>;
  sidFor(clientId: string): string | undefined;
}

// oidc-provider passes undici's `dispatcher` (its address guard) beside the standard options.
type FetchOptions = RequestInit & { dispatcher?: unknown };

/**
 * oidc-provider's `fetch`: its own requests as it makes them, except OIDC Back-Channel Logout
 * deliveries, which go without its special-use-address guard. That guard stops a client from
 * making the server call into its own network through a URI the client chose (a JWKS or sector
 * URI); a logout URI is registered by an operator (`clients create --backchannel-logout-uri`),
 * and the apps that receive logout tokens commonly sit on a private network or, in development,
 * on loopback. The guard would drop every such delivery. Other requests get the guard but for a
 * loopback host ({@link fetchAllowingLoopback}: a `private_key_jwt` client's JWKS URI there is
 * the operator's too). oidc-provider's 2.5-second timeout and `redirect: 'manual'` stay as they
 * are.
 */
export function providerFetch(
  url: string | URL | Request,
  options: FetchOptions = {},
): Promise<Response> {
  if (isLogoutDelivery(options)) {
    const { dispatcher: _guard, ...unguarded } = options;
    return fetch(url, unguarded);
  }
  return fetchAllowingLoopback(url, options);
}

// How oidc-provider posts a logout token (Back-Channel Logout 1.0 §2.5): a form with logout_token.
function isLogoutDelivery(options: FetchOptions): boolean {
  return (
    options.method === 'POST' &&
    options.body instanceof URLSearchParams &&
    options.body.has('logout_token')
  );
}

/**
 * Sends a logout token to every client of `session` that registered a back-channel logout URI,
 * as oidc-provider does when RP-initiated logout ends a session, for sessions ended by our own
 * pages (the account page's "Sign out"). The deliveries run side by side, each bounded by
 * oidc-provider's timeout; a failed one never fails the sign-out: it is reported through the same
 * `backchannel.error` event (see {@link observeBackchannelLogout}). Call it before the session is
 * destroyed: the clients and their `sid`s are read from it.
 *
 * @example
 * await sendLogoutTokens(provider, ctx, await provider.Session.get(ctx));
 * await session.destroy();
 */
export async function sendLogoutTokens(
  provider: Provider,
  ctx: Koa.Context,
  session: SignedInSession,
): Promise<void> {
  const { accountId } = session;
  if (!accountId) return;
  await Promise.all(
    Object.keys(session.authorizations ?? {}).map((clientId) =>
      sendLogoutToken(provider, ctx, { clientId, accountId, sid: session.sidFor(clientId) }),
    ),
  );
}

/**
 * Sends one client a logout token for `accountId` (with `sid`, the user's session with that
 * client, when it requires one), if it registered a back-channel logout URI: for the account
 * page's "Remove access", which ends the app's sign-in along with its grant. A client that
 * requires `sid` gets nothing without one (a token it would have to refuse). Never throws for a
 * failed delivery (see {@link sendLogoutTokens}).
 *
 * @example
 * await sendLogoutToken(provider, ctx, { clientId, accountId, sid: session.sidFor(clientId) });
 */
export async function sendLogoutToken(
  provider: Provider,
  ctx: Koa.Context,
  to: { clientId: string; accountId: string; sid: string | undefined },
): Promise<void> {
  const { accountId, sid } = to;
  const client = (await provider.Client.find(to.clientId)) as LogoutClient | undefined;
  if (!client?.backchannelLogoutUri) return;
  if (client.backchannelLogoutSessionRequired && !sid) return;
  const emit = (event: string, ...args: unknown[]) =>
    (provider as unknown as NodeJS.EventEmitter).emit(event, ctx, ...args);
  await client.backchannelLogout(accountId, sid).then(
    () => emit('backchannel.success', client, accountId, sid),
    (error: unknown) => emit('backchannel.error', error, client, accountId, sid),
  );
}

/**
 * Listeners for oidc-provider's `backchannel.success` and `backchannel.error`: every delivery is
 * counted in `portcullis_backchannel_logouts_total` by client and result, and a failed one is
 * logged as a warning with the client's id and why (never the logout token, which is a signed
 * statement about the user, nor the `sid`).
 *
 * @example
 * const logouts = observeBackchannelLogout(metrics, logger);
 * provider.on('backchannel.success', logouts.onSuccess);
 * provider.on('backchannel.error', logouts.onError);
 */
export function observeBackchannelLogout(metrics: Metrics, logger: Logger) {
  return {
    onSuccess(_ctx: unknown, client: LogoutClient) {
      metrics.backchannelLogout(client.clientId, 'delivered');
    },
    onError(_ctx: unknown, error: unknown, client: LogoutClient) {
      metrics.backchannelLogout(client.clientId, 'failed');
      logger.warn('back-channel logout not delivered', {
        client_id: client.clientId,
        error: deliveryFailure(error),
      });
    },
  };
}

/**
 * Why a request to a logout receiver failed, in a line: the receiver's status, a timeout, or the
 * network error (`fetch failed: ECONNREFUSED`). Never the request's body.
 *
 * @example
 * deliveryFailure(error); // 'no answer within 2.5 s'
 */
export function deliveryFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (error.name === 'TimeoutError') return 'no answer within 2.5 s';
  const detail = cause?.code ?? cause?.message;
  return detail ? `${error.message}: ${detail}` : error.message;
}
