import { createTestDatabase, freePort, type TestDatabase } from '@portcullis/storage/testing';
import * as client from 'openid-client';
import { discoverClient, HttpBrowser, inputValue, type Stack, startStack } from '../src/index.ts';

/** The password of the upstream's users. */
export const PASSWORD = 'upstream-password-1';
/** The password of our user who has alice's address. */
export const LOCAL_PASSWORD = 'downstream-password-1';

/** Two Portcullis servers: the upstream provider, and ours (downstream) as its client. */
export interface Federation {
  upstreamDb: TestDatabase;
  downstreamDb: TestDatabase;
  upstream: Stack;
  downstream: Stack;
  /** Our client at the upstream. */
  upstreamClient: { client_id: string; client_secret: string };
  /** The upstream as our identity provider "Acme SSO" (`idps create --json`). */
  acme: { id: string; name: string };
  stop(): Promise<void>;
}

/**
 * Starts the upstream Portcullis with users alice (alice@example.com, verified there) and bob (no
 * address), and ours with a user `localUser` who has alice's address, and registers each with the
 * other through the CLI: our client at the upstream (first-party: no consent page there), and the
 * upstream as our identity provider "Acme SSO". `upstreamHost: '::1'` puts the upstream on another
 * cookie host than ours, for a browser, which would otherwise mix the two servers' session cookies.
 */
export async function startFederation(
  localUser: string,
  options: { upstreamHost?: '::1' } = {},
): Promise<Federation> {
  const [upstreamDb, downstreamDb] = await Promise.all([
    createTestDatabase(),
    createTestDatabase(),
  ]);
  const [upstream, downstream] = await Promise.all([
    startStack(
      upstreamDb.db,
      upstreamDb.url,
      {},
      options.upstreamHost ? { host: options.upstreamHost } : {},
    ),
    startStack(downstreamDb.db, downstreamDb.url),
  ]);
  const user = (stack: Stack, username: string, password: string, email?: string) =>
    stack.cli(
      [
        'users',
        'create',
        '--username',
        username,
        '--password-stdin',
        ...(email ? ['--email', email] : []),
      ],
      `${password}\n`,
    );
  await user(upstream, 'alice', PASSWORD, 'alice@example.com');
  await user(upstream, 'bob', PASSWORD);
  await upstreamDb.db('users').where({ username: 'alice' }).update({ email_verified: true });
  await user(downstream, localUser, LOCAL_PASSWORD, 'alice@example.com');
  const upstreamClient = await upstream.cli<{ client_id: string; client_secret: string }>([
    'clients',
    'create',
    '--name',
    'Portcullis downstream',
    '--grant',
    'authorization_code',
    '--redirect-uri',
    `${downstream.issuer}/idp/callback`,
    '--scope',
    'openid email profile',
    '--first-party',
  ]);
  const acme = await downstream.cli<{ id: string; name: string }>(
    [
      'idps',
      'create',
      '--name',
      'Acme SSO',
      '--issuer',
      upstream.issuer,
      ...credentials(upstreamClient),
    ],
    `${upstreamClient.client_secret}\n`,
  );
  return {
    upstreamDb,
    downstreamDb,
    upstream,
    downstream,
    upstreamClient,
    acme,
    async stop() {
      await Promise.all([upstream.stop(), downstream.stop()]);
      await Promise.all([upstreamDb.drop(), downstreamDb.drop()]);
    },
  };
}

/** `idps create`'s client options for our client at the upstream; the secret goes to stdin. */
const credentials = (upstreamClient: { client_id: string }) => [
  '--client-id',
  upstreamClient.client_id,
  '--client-secret-stdin',
];

/** Registers "Down SSO" at `stack`: an issuer on a free port where nothing listens. */
export async function createUnreachableProvider(stack: Stack): Promise<void> {
  await stack.cli(
    [
      'idps',
      'create',
      '--name',
      'Down SSO',
      '--issuer',
      `http://127.0.0.1:${await freePort()}`,
    ].concat(credentials({ client_id: 'portcullis' })),
    'secret\n',
  );
}

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
