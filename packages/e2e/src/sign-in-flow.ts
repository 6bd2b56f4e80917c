import * as client from 'openid-client';
import { discoverClient } from './discover-client.ts';
import type { HttpBrowser } from './http-browser.ts';

type Step = Awaited<ReturnType<HttpBrowser['follow']>>;

/** The claims of the ID token the flow ended with, `amr` and `acr` included. */
export type SignInClaims = client.IDToken & { amr?: string[]; acr?: string };

/**
 * Starts an authorization-code flow with PKCE by openid-client in `browser`: returns the first
 * step reached (a page, or the redirect back when no page was needed) and `redeem`, which
 * exchanges the code of the step that leaves for the app and returns the ID token's claims.
 * `extra` adds parameters (`acr_values`, `max_age`: then openid-client checks auth_time).
 *
 * @example
 * const { first, redeem } = await startSignIn(browser, issuer, app, REDIRECT, { acr_values });
 */
export async function startSignIn(
  browser: HttpBrowser,
  issuer: string,
  credentials: { client_id: string; client_secret: string },
  redirectUri: string,
  extra: Record<string, string> = {},
) {
  const config = await discoverClient(issuer, credentials);
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...extra,
  });
  const first = await browser.follow(url.href);
  const redeem = async (step: Step): Promise<SignInClaims> => {
    const tokens = await client.authorizationCodeGrant(config, new URL(step.left as string), {
      pkceCodeVerifier: verifier,
      ...(extra.max_age ? { maxAge: Number(extra.max_age) } : {}),
    });
    return tokens.claims() as SignInClaims;
  };
  return { first, redeem };
}

/** The authenticator-app key a setup page shows, as a person would type it (no spaces). */
export function shownSeed(page: string): string {
  return (/id="totp-secret">([A-Z2-7 ]+)</.exec(page)?.[1] ?? '').replaceAll(' ', '');
}

/** The way on from the recovery-codes page (its primary link), as an absolute URL. */
export function continueLink(page: string, issuer: string): string {
  const href = /<a class="button primary" href="([^"]+)"/.exec(page)?.[1] ?? '';
  return new URL(href.replaceAll('&amp;', '&'), issuer).href;
}
