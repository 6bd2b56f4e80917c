import * as client from 'openid-client';
import { discoverClient, HttpBrowser, inputValue } from '../src/index.ts';

/**
 * Starts an app's authorization (code + PKCE) at `issuer` in a new browser and presses the login
 * page's "Sign in with `idp`" button. Returns the browser, what the app needs to redeem the code,
 * and where the button led: `left` is the provider's authorization URL, unless one of our pages
 * answered (a provider that cannot be reached).
 */
export async function pressProviderButton(
  issuer: string,
  app: { client_id: string; client_secret: string },
  redirectUri: string,
  idp: string,
) {
  const browser = new HttpBrowser(issuer);
  const config = await discoverClient(issuer, app);
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid notes:read',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const login = await browser.follow(url.href);
  const page = await login.response.text();
  const forms = [...page.matchAll(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)];
  const action = forms.find((form) => form[2]?.includes(`Sign in with ${idp}<`))?.[1];
  if (!action) throw new Error(`no "Sign in with ${idp}" button on the login page`);
  const out = await browser.follow(new URL(action, login.url).href, {
    form: { csrf: inputValue(page, 'csrf') as string },
  });
  return { browser, config, verifier, out };
}

/** The `sub` of the ID token the app gets for the code at `callback`. */
export async function subAtCallback(
  config: client.Configuration,
  verifier: string,
  callback: string,
): Promise<string> {
  const tokens = await client.authorizationCodeGrant(config, new URL(callback), {
    pkceCodeVerifier: verifier,
  });
  return tokens.claims()?.sub as string;
}
