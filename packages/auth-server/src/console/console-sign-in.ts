import * as oauth from 'openid-client';
import { ADMIN_RESOURCE, ADMIN_SCOPES } from '../domain/admin-api.ts';
import { CONSOLE_CALLBACK_PATH, CONSOLE_SIGNED_OUT_PATH } from '../domain/admin-console.ts';
import type { ConsoleSession, PendingSignIn } from './console-sessions.ts';

/**
 * What the console asks for: who the operator is, a refresh token to renew the access token while
 * they work (`offline_access`), and every admin scope their roles allow.
 */
const REQUESTED_SCOPE = ['openid', 'offline_access', ...ADMIN_SCOPES.map((s) => s.name)].join(' ');

/** Seconds to wait for each request to our own endpoints. */
const TIMEOUT_SECONDS = 10;

/** The outcome of a callback: a session to start, or why there is none. */
export type SignInOutcome =
  | { ok: true; session: Omit<ConsoleSession, 'startedAt'>; returnTo: string }
  | { ok: false; reason: 'refused' | 'failed'; detail: string };

/** The tokens a refresh renews: a session's, or why the server refused (the session then ends). */
export type RefreshOutcome =
  | {
      ok: true;
      tokens: Pick<ConsoleSession, 'accessToken' | 'refreshToken' | 'expiresAt' | 'scopes'>;
    }
  | { ok: false; detail: string };

/**
 * The console's sign-in through Portcullis itself, with openid-client as the console's OAuth
 * client: authorization code with PKCE (S256), state and nonce, for the resource
 * `urn:portcullis:admin` and every admin scope (a user gets those their roles hold: the scopes
 * are role-gated). The console's client is public (no secret to keep) and its only redirect URI
 * is the issuer's `/admin/callback`; the code is redeemed here, on the server, and the tokens
 * never reach the browser. The issuer's metadata is discovered over HTTP at the first sign-in,
 * as any client of ours discovers it.
 *
 * @example
 * const signIn = createConsoleSignIn({ issuer, clientId });
 * const { url, pending } = await signIn.begin('/admin/clients');
 */
export function createConsoleSignIn(deps: { issuer: string; clientId: string }) {
  const redirectUri = new URL(CONSOLE_CALLBACK_PATH, deps.issuer).href;
  const signedOutUri = new URL(CONSOLE_SIGNED_OUT_PATH, deps.issuer).href;
  let configuration: Promise<oauth.Configuration> | undefined;
  const configure = () => {
    configuration ??= oauth
      .discovery(new URL(deps.issuer), deps.clientId, undefined, oauth.None(), {
        timeout: TIMEOUT_SECONDS,
        // Our own issuer: plain http only where the server configuration allows it (loopback,
        // development); production refuses a plain-http issuer off loopback at start-up.
        ...(deps.issuer.startsWith('http:') ? { execute: [oauth.allowInsecureRequests] } : {}),
      })
      .catch((error: unknown) => {
        configuration = undefined;
        throw error;
      });
    return configuration;
  };

  return {
    /** The authorization request to send the browser to, and what its callback must check. */
    async begin(returnTo: string): Promise<{ url: URL; pending: PendingSignIn }> {
      const config = await configure();
      const pending: PendingSignIn = {
        state: oauth.randomState(),
        nonce: oauth.randomNonce(),
        verifier: oauth.randomPKCECodeVerifier(),
        returnTo,
      };
      const parameters = {
        redirect_uri: redirectUri,
        scope: REQUESTED_SCOPE,
        resource: ADMIN_RESOURCE,
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: await oauth.calculatePKCECodeChallenge(pending.verifier),
        code_challenge_method: 'S256',
        // OpenID Connect grants offline_access only with prompt=consent; the console's client is
        // first-party, so no consent page is shown for it.
        prompt: 'consent',
      };
      // Pushed when the server offers it (and so whenever PORTCULLIS_REQUIRE_PAR is on).
      const url = config.serverMetadata().pushed_authorization_request_endpoint
        ? await oauth.buildAuthorizationUrlWithPAR(config, parameters)
        : oauth.buildAuthorizationUrl(config, parameters);
      return { url, pending };
    },

    /** Redeems the callback's code (`query`: the callback's query string) against `pending`. */
    async complete(query: string, pending: PendingSignIn): Promise<SignInOutcome> {
      const config = await configure();
      const current = new URL(`${redirectUri}?${query}`);
      const error = current.searchParams.get('error');
      if (error) {
        const description = current.searchParams.get('error_description');
        return { ok: false, reason: 'refused', detail: description ?? error };
      }
      try {
        const tokens = await oauth.authorizationCodeGrant(
          config,
          current,
          {
            pkceCodeVerifier: pending.verifier,
            expectedState: pending.state,
            expectedNonce: pending.nonce,
            idTokenExpected: true,
          },
          { resource: ADMIN_RESOURCE },
        );
        const claims = tokens.claims();
        return {
          ok: true,
          session: {
            ...tokensOf(tokens),
            subject: String(claims?.sub ?? ''),
            ...(tokens.id_token ? { idToken: tokens.id_token } : {}),
          },
          returnTo: pending.returnTo,
        };
      } catch (failure) {
        return { ok: false, reason: 'failed', detail: (failure as Error).message };
      }
    },

    /**
     * Renews the access token with the refresh token (which rotates: the answer holds the next
     * one). The server's refusal (a revoked grant, a disabled user) is an outcome; an issuer that
     * cannot be reached throws.
     */
    async refresh(refreshToken: string): Promise<RefreshOutcome> {
      const config = await configure();
      try {
        const tokens = await oauth.refreshTokenGrant(config, refreshToken, {
          resource: ADMIN_RESOURCE,
        });
        return { ok: true, tokens: tokensOf(tokens) };
      } catch (failure) {
        if (failure instanceof oauth.ResponseBodyError) {
          return { ok: false, detail: failure.error_description ?? failure.error };
        }
        throw failure;
      }
    },

    /** Revokes a refresh token (RFC 7009), and with it the grant's tokens: signing out. */
    async revoke(refreshToken: string): Promise<void> {
      await oauth.tokenRevocation(await configure(), refreshToken, {
        token_type_hint: 'refresh_token',
      });
    },

    /**
     * Where to end the Portcullis session too once signed out of the console; it then comes back
     * to the console's "You are signed out" page (the client's post-logout redirect URI).
     */
    async endSessionUrl(idToken: string | undefined): Promise<URL | undefined> {
      const config = await configure();
      if (!config.serverMetadata().end_session_endpoint) return undefined;
      return oauth.buildEndSessionUrl(config, {
        client_id: deps.clientId,
        post_logout_redirect_uri: signedOutUri,
        ...(idToken ? { id_token_hint: idToken } : {}),
      });
    },
  };
}

// What a token response gives a session: the tokens, their scopes and the access token's expiry.
function tokensOf(tokens: oauth.TokenEndpointResponse & oauth.TokenEndpointResponseHelpers) {
  return {
    accessToken: tokens.access_token,
    ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
    scopes: (tokens.scope ?? '').split(' ').filter(Boolean),
    expiresAt: Math.floor(Date.now() / 1000) + (tokens.expiresIn() ?? 300),
  };
}

/** The sign-in {@link createConsoleSignIn} returns. */
export type ConsoleSignIn = ReturnType<typeof createConsoleSignIn>;
