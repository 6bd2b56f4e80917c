import type Koa from 'koa';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { FailureCounter, Verdict } from './failure-counter.ts';
import type { LimitHit } from './limit-hit.ts';
import type { LimitKeys } from './limit-keys.ts';

/**
 * oidc-provider's error event of every endpoint that authenticates clients, and the endpoint's
 * name in audit events. Each is emitted with the request's context and the error, before the
 * response leaves.
 */
const CLIENT_AUTH_EVENTS: Readonly<Record<string, string>> = {
  'grant.error': 'token',
  'introspection.error': 'introspection',
  'revocation.error': 'revocation',
  'device_authorization.error': 'device_authorization',
  'pushed_authorization_request.error': 'pushed_authorization_request',
};

/** Failed client authentication per client id and per address. */
export interface ClientAuthLimits {
  /**
   * Counts one failed client authentication. Resolves to the seconds to send in `Retry-After`
   * when the client or the address is over its limit, else `undefined`. Never rejects: when
   * PostgreSQL cannot be reached the failure goes uncounted (fails open).
   */
  failed(attempt: {
    clientId?: string;
    address: string;
    endpoint: string;
  }): Promise<number | undefined>;
}

/**
 * Client-authentication limits over two counters (either may be off). Only failures are counted
 * and only failures are refused: a client presenting its right secret is never counted, never
 * slowed down and never refused, whoever else fails with its id or from its address.
 *
 * @example
 * const retryAfter = await limits.failed({ clientId, address: ctx.ip, endpoint: 'token' });
 * if (retryAfter !== undefined) ctx.status = 429;
 */
export function createClientAuthLimits(deps: {
  perClient: FailureCounter | null;
  perAddress: FailureCounter | null;
  keys: LimitKeys;
  /** Called once when a key passes its limit (the lockout starts). */
  hit(hit: LimitHit): Promise<void>;
  /** Called for every attempt refused, with the limit's fixed name (`client_auth_address`). */
  refused(limit: string): void;
  /** A failure that could not be counted (PostgreSQL unreachable). */
  onError(error: unknown): void;
}): ClientAuthLimits {
  const { perClient, perAddress } = deps;
  return {
    async failed(attempt) {
      const count = async (
        counter: FailureCounter | null,
        key: string | undefined,
        kind: LimitHit['key'],
      ): Promise<Verdict | undefined> => {
        if (!counter || key === undefined) return undefined;
        const verdict = await counter.count(key).catch((error: unknown) => {
          deps.onError(error);
          return undefined;
        });
        if (verdict?.crossed) {
          await deps.hit({
            limit: 'client_auth',
            key: kind,
            rule: counter.rule,
            retryAfterSeconds: verdict.retryAfterSeconds,
            address: attempt.address,
            clientId: attempt.clientId,
            endpoint: attempt.endpoint,
          });
        }
        if (verdict?.over) deps.refused(`client_auth_${kind}`);
        return verdict;
      };
      const verdicts = await Promise.all([
        count(
          perClient,
          attempt.clientId ? deps.keys.client(attempt.clientId) : undefined,
          'client',
        ),
        count(perAddress, deps.keys.address(attempt.address), 'address'),
      ]);
      const over = verdicts.filter((v) => v?.over).map((v) => v?.retryAfterSeconds ?? 0);
      return over.length > 0 ? Math.max(...over) : undefined;
    },
  };
}

/**
 * Applies the limits to a provider's client authentication: a failed one (`invalid_client`, on
 * any endpoint that authenticates clients) is counted per registered client and per address, and
 * once either is over its limit the failure is answered 429 with `Retry-After` instead of 401.
 * The body stays the wrong-credentials one (`{"error":"invalid_client","error_description":
 * "client authentication failed"}`): RFC 6749 has no error code for "too many attempts", and a
 * locked attempt must read the same as a wrong one. Call it once for every Provider built.
 *
 * @example
 * limitClientAuthentication(provider, limits.clientAuth);
 */
export function limitClientAuthentication(provider: Provider, limits: ClientAuthLimits): void {
  const failures = new WeakMap<object, { clientId?: string; endpoint: string }>();
  for (const [event, endpoint] of Object.entries(CLIENT_AUTH_EVENTS)) {
    // Provider is an EventEmitter; its typings only take the event names one literal at a time.
    const emitter = provider as unknown as NodeJS.EventEmitter;
    emitter.on(event, (ctx: KoaContextWithOIDC, error: { error?: string }) => {
      if (error?.error !== 'invalid_client') return;
      // Set only once the client was found: unknown ids are counted by address alone.
      failures.set(ctx, { clientId: ctx.oidc?.client?.clientId, endpoint });
    });
  }
  provider.use(async (ctx: Koa.Context, next: Koa.Next) => {
    await next();
    const failure = failures.get(ctx);
    if (!failure) return;
    const retryAfter = await limits.failed({ ...failure, address: ctx.ip });
    if (retryAfter === undefined) return;
    ctx.status = 429;
    ctx.set('Retry-After', String(retryAfter));
    // A challenge belongs to a 401; 429 asks the client to wait, not to authenticate differently.
    ctx.remove('WWW-Authenticate');
  });
}
