import { createHash } from 'node:crypto';
import type Koa from 'koa';
import type Provider from 'oidc-provider';
import { sessionCookieOptions } from '../../domain/cookies.ts';
import { decryptPrivateKey, encryptPrivateKey } from '../../keys/key-encryption.ts';
import type { UpstreamAccount } from '../../services/identity-providers/identity-providers-service.ts';
import type { UpstreamChecks } from '../../services/identity-providers/upstream-client.ts';

/** What the browser carries between the legs of a sign-in through another provider. */
export type UpstreamState =
  // Sent to the provider: what its callback must match.
  | { uid: string; idp: string; checks: UpstreamChecks }
  // Back, with an account to link to `userId` once its password is confirmed.
  | { uid: string; idp: string; account: UpstreamAccount; userId: string }
  // From /account, no interaction: the provider's account is to be linked to the signed-in
  // user `linkFor` (account-links.ts).
  | { linkFor: string; idp: string; checks: UpstreamChecks };

const COOKIE = 'portcullis.idp';

/**
 * Which state to read: the trip's, by the `state` the provider sent back, or the account waiting
 * to be linked, by its interaction's uid. Each has a cookie of its own (its name carries a digest
 * of the key), so sign-ins in several tabs do not overwrite each other's.
 */
export type UpstreamStateKey = { state: string } | { uid: string };
/** Ten minutes for the trip to the provider (its own sign-in included) or to confirm a password. */
const LIFETIME_SECONDS = 600;
const CONTEXT = 'identity-provider-state';

/**
 * The state of the upstream leg (state, nonce, PKCE verifier; then the account waiting to be
 * linked) in a short-lived cookie: encrypted (AES-256-GCM, under a key derived from the first
 * cookie key), signed as oidc-provider's cookies are, httpOnly, SameSite=Lax (sent on the
 * provider's top-level redirect back), bound to the interaction's uid, expiring with its own
 * timestamp. Stateless, so any replica can take the callback; unreadable by the browser, so the
 * verifier and the nonce never show.
 *
 * @example
 * const states = upstreamStates(provider, cookieKey, issuer);
 * states.save(ctx, { uid, idp: provider.id, checks });
 */
export function upstreamStates(provider: Provider, cookieKey: string, issuer: string) {
  const key = createHash('sha256').update(`${CONTEXT}:${cookieKey}`).digest();
  const options = { ...sessionCookieOptions(issuer), maxAge: LIFETIME_SECONDS * 1000 };
  const cookies = (ctx: Koa.Context) => provider.createContext(ctx.req, ctx.res).cookies;
  return {
    save(ctx: Koa.Context, state: UpstreamState): void {
      const name = nameOf('checks' in state ? { state: state.checks.state } : { uid: state.uid });
      const sealed = encryptPrivateKey(
        JSON.stringify({ ...state, exp: Date.now() + LIFETIME_SECONDS * 1000 }),
        key,
        CONTEXT,
      );
      cookies(ctx).set(name, sealed, options);
    },

    /** The state the browser carries; undefined when none, tampered with or expired. */
    read(ctx: Koa.Context, by: UpstreamStateKey): UpstreamState | undefined {
      const sealed = cookies(ctx).get(nameOf(by), { signed: true });
      if (!sealed) return undefined;
      try {
        const { exp, ...state } = JSON.parse(
          decryptPrivateKey(sealed, key, CONTEXT),
        ) as UpstreamState & {
          exp: number;
        };
        return exp > Date.now() ? state : undefined;
      } catch {
        return undefined;
      }
    },

    clear(ctx: Koa.Context, by: UpstreamStateKey): void {
      cookies(ctx).set(nameOf(by), null, options);
    },
  };
}

function nameOf(by: UpstreamStateKey): string {
  const [kind, value] = 'state' in by ? ['s', by.state] : ['u', by.uid];
  return `${COOKIE}.${kind}${createHash('sha256').update(value).digest('base64url').slice(0, 16)}`;
}

/** The object {@link upstreamStates} returns. */
export type UpstreamStates = ReturnType<typeof upstreamStates>;
