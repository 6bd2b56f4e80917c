import * as client from 'openid-client';
import { discoverClient, formAction, HttpBrowser, inputValue, type Stack } from '../src/index.ts';

// What the database-outage tests share: the clients they register, a sign-in through our pages
// ending in an authorization-code grant, and raw token-endpoint requests whose status and
// headers they inspect.

export const REDIRECT = 'http://127.0.0.1:8765/callback';
export const PASSWORD = 'correct horse battery staple';
export const REPORTS = 'https://reports.example.test';

/** A registered client's id and secret, as `clients create --json` prints them. */
export interface Credentials {
  client_id: string;
  client_secret: string;
}

/** The clients of an outage test, registered through the CLI. */
export interface OutageClients {
  /** client_credentials for the example API: JWT access tokens, never stored. */
  service: Credentials;
  /** client_credentials for the reports resource, whose access tokens are opaque and stored. */
  dashboard: Credentials;
  /** The reports resource's introspection client. */
  reportsApi: Credentials;
  /** A first-party web app: authorization code with refresh tokens for the example API. */
  app: Credentials;
}

/**
 * Registers alice, the reports resource (opaque tokens) and the clients of {@link OutageClients}.
 *
 * @example
 * const clients = await registerOutageClients(stack);
 */
export async function registerOutageClients(stack: Stack): Promise<OutageClients> {
  await stack.cli(['users', 'create', '--username', 'alice', '--password-stdin'], `${PASSWORD}\n`);
  const cc = (name: string, resource: string, scope: string) =>
    stack.cli<Credentials>([
      ...['clients', 'create', '--name', name, '--grant', 'client_credentials'],
      ...['--resource', resource, '--scope', scope],
    ]);
  const service = await cc('service', stack.api, 'notes:read');
  const reportsApi = await stack.cli<Credentials>([
    ...['clients', 'create', '--name', 'reports-api', '--grant', 'client_credentials'],
  ]);
  await stack.cli([
    ...['resources', 'create', '--identifier', REPORTS, '--name', 'Reports'],
    ...['--scope', 'reports:read=Read reports', '--format', 'opaque'],
    ...['--introspection-client', reportsApi.client_id],
  ]);
  const dashboard = await cc('dashboard', REPORTS, 'reports:read');
  const app = await stack.cli<Credentials>([
    ...['clients', 'create', '--name', 'Console', '--first-party'],
    ...['--grant', 'authorization_code', 'refresh_token', '--redirect-uri', REDIRECT],
    ...['--resource', stack.api, '--scope', 'openid offline_access notes:read'],
  ]);
  return { service, dashboard, reportsApi, app };
}

/** openid-client's view of the server, for `credentials`. */
export function discover(stack: Stack, credentials: Credentials) {
  return discoverClient(stack.issuer, credentials);
}

/**
 * Signs alice in with a fresh browser (a session of its own, so a grant of its own) and returns
 * the authorization code, not yet redeemed, with what redeeming it takes.
 *
 * @example
 * const { config, callback, verifier, state } = await signIn(stack, clients.app);
 * await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
 */
export async function signIn(stack: Stack, app: Credentials) {
  const config = await discover(stack, app);
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid offline_access notes:read',
    resource: stack.api,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    prompt: 'consent',
  });
  const browser = new HttpBrowser(stack.issuer);
  let step = await browser.follow(url.href);
  for (let i = 0; i < 3 && !step.left; i += 1) {
    const page = await step.response.text();
    const action = new URL(formAction(page) as string, step.url).href;
    const csrf = inputValue(page, 'csrf') as string;
    step = page.includes('name="password"')
      ? await browser.follow(action, { form: { csrf, username: 'alice', password: PASSWORD } })
      : await browser.follow(action, { form: { csrf, decision: 'approve' } });
  }
  if (!step.left) throw new Error(`the sign-in did not come back: ${step.response.status}`);
  return { config, verifier, state, callback: new URL(step.left) };
}

/**
 * Signs alice in and redeems the code with openid-client: a grant with a refresh token.
 *
 * @example
 * const { config, tokens } = await authorizationCodeGrant(stack, clients.app);
 */
export async function authorizationCodeGrant(
  stack: Stack,
  app: Credentials,
): Promise<{
  config: client.Configuration;
  tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
}> {
  const { config, verifier, state, callback } = await signIn(stack, app);
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
  return { config, tokens };
}

/** A request's answer: status, `Retry-After`, and the JSON body (empty when there was none). */
export interface Answer {
  status: number;
  retryAfter: string | null;
  body: Record<string, unknown>;
}

/**
 * POSTs a form to the authorization server with HTTP Basic client authentication. A request not
 * answered within `timeoutMs` rejects.
 *
 * @example
 * const answer = await postForm(`${stack.issuer}/token`, clients.service, { grant_type: 'client_credentials' });
 */
export async function postForm(
  url: string,
  credentials: Credentials,
  form: Record<string, string>,
  timeoutMs = 10_000,
): Promise<Answer> {
  const user = encodeURIComponent(credentials.client_id);
  const password = encodeURIComponent(credentials.client_secret);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: new URLSearchParams(form),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    body = { error: `not JSON: ${text.slice(0, 80)}` };
  }
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
}

/** The `jti` of a JWT, read without verifying it. */
export function jtiOf(jwt: string): string {
  const payload = jwt.split('.')[1] as string;
  return (JSON.parse(Buffer.from(payload, 'base64url').toString()) as { jti: string }).jti;
}
