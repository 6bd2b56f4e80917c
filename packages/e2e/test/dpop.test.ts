import type { Server } from 'node:http';
import { type RunningExampleApi, startExampleApi } from '@portcullis/example-api';
import { createResourceServer } from '@portcullis/resource-server';
import { createTestDatabase, freePort, type TestDatabase } from '@portcullis/storage/testing';
import test, { type ExecutionContext } from 'ava';
import { calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import Koa from 'koa';
import * as client from 'openid-client';
import {
  discoverClient,
  HttpBrowser,
  oauthError,
  type Stack,
  startStack,
  submitForm,
} from '../src/index.ts';

// DPoP at the authorization server (RFC 9449): a client registered with --require-dpop gets
// tokens only with a proof, bound to the proof's key (cnf.jkt); a public client's refresh token
// is bound to the same key; proofs for another method or URL, or replayed, are refused. The
// resource server takes such a token only with a proof by its key.

const REDIRECT = 'http://127.0.0.1:8772/callback';
const PASSWORD = 'dpop-owner-password';

let database: TestDatabase;
let stack: Stack;
let tokenEndpoint: string;
let service: { client_id: string; client_secret: string };
let dpopApi: { url: string; server: Server };
/** The example API itself with PORTCULLIS_API_DPOP=required's option. */
let exampleApi: RunningExampleApi;

test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url);
  await stack.cli(['users', 'create', '--username', 'dora', '--password-stdin'], `${PASSWORD}\n`);
  service = await stack.cli([
    'clients',
    'create',
    '--name',
    'dpop service',
    '--grant',
    'client_credentials',
    '--resource',
    stack.api,
    '--scope',
    'notes:read',
    '--require-dpop',
  ]);
  const discovery = await fetch(`${stack.issuer}/.well-known/openid-configuration`);
  tokenEndpoint = ((await discovery.json()) as { token_endpoint: string }).token_endpoint;
  dpopApi = await startDpopApi();
  const port = await freePort();
  exampleApi = await startExampleApi({
    issuer: stack.issuer,
    audience: stack.api,
    // As `dev` and `example-api` set it (to the resource they serve): the URL proofs are made for.
    publicUrl: `http://127.0.0.1:${port}`,
    dpop: 'required',
    port,
  });
});
test.after.always(async () => {
  await exampleApi?.close();
  await new Promise((resolve) => dpopApi?.server.close(resolve));
  await stack?.stop();
  await database?.drop();
});

type KeyPair = Awaited<ReturnType<typeof client.randomDPoPKeyPair>>;

const thumbprintOf = async (pair: KeyPair) =>
  calculateJwkThumbprint(await exportJWK(pair.publicKey));

test('clients show and --json report the requirement', async (t) => {
  const shown = await stack.cli<Record<string, unknown>>(['clients', 'show', service.client_id]);
  t.is(shown.dpop_bound_access_tokens, true);
});

test('a client that requires DPoP gets no token without a proof', async (t) => {
  const config = await discoverClient(stack.issuer, service);
  const error = await client
    .clientCredentialsGrant(config, { scope: 'notes:read', resource: stack.api })
    .then(
      () => undefined,
      (e: unknown) => e as client.ResponseBodyError,
    );
  // oidc-provider keeps the detail ("DPoP proof JWT not provided") out of invalid_grant answers.
  t.is(error?.error, 'invalid_grant');
  t.is(error?.error_description, 'grant request is invalid');
});

test('with a proof it gets a DPoP token whose JWT carries the key thumbprint', async (t) => {
  const config = await discoverClient(stack.issuer, service);
  const pair = await client.randomDPoPKeyPair('ES256');
  const tokens = await client.clientCredentialsGrant(
    config,
    { scope: 'notes:read', resource: stack.api },
    { DPoP: client.getDPoPHandle(config, pair) },
  );
  t.is(tokens.token_type, 'dpop');
  const claims = decodeJwt(tokens.access_token);
  t.deepEqual(claims.cnf, { jkt: await thumbprintOf(pair) });
});

test('--no-require-dpop takes the requirement away', async (t) => {
  const other = await stack.cli<{ client_id: string; client_secret: string }>([
    'clients',
    'create',
    '--name',
    'dpop toggled',
    '--grant',
    'client_credentials',
    '--resource',
    stack.api,
    '--require-dpop',
  ]);
  const updated = await stack.cli<Record<string, unknown>>([
    'clients',
    'update',
    other.client_id,
    '--no-require-dpop',
  ]);
  t.is(updated.dpop_bound_access_tokens, false);
  const config = await discoverClient(stack.issuer, other);
  // The servers hear of the change within a second (notifications).
  let answer = '';
  for (const started = Date.now(); Date.now() - started < 2000; ) {
    answer = await oauthError(client.clientCredentialsGrant(config, { resource: stack.api }));
    if (answer === 'no error') break;
  }
  t.is(answer, 'no error');
});

/** A DPoP proof made by hand, so that its method, URL and jti can be wrong on purpose. */
async function proof(pair: KeyPair, htm: string, htu: string, jti = crypto.randomUUID()) {
  return new SignJWT({ htm, htu, jti })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(pair.publicKey) })
    .setIssuedAt()
    .sign(pair.privateKey);
}

async function tokenWithProof(dpop: string) {
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${service.client_id}:${service.client_secret}`).toString('base64')}`,
      dpop,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: stack.api }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, string> };
}

test('a proof for another method or URL is refused', async (t) => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  const wrongMethod = await tokenWithProof(await proof(pair, 'GET', tokenEndpoint));
  t.is(wrongMethod.status, 400);
  t.is(wrongMethod.json.error, 'invalid_dpop_proof');
  t.is(wrongMethod.json.error_description, 'DPoP proof htm mismatch');
  const wrongUrl = await tokenWithProof(await proof(pair, 'POST', `${stack.issuer}/userinfo`));
  t.is(wrongUrl.status, 400);
  t.is(wrongUrl.json.error, 'invalid_dpop_proof');
  t.is(wrongUrl.json.error_description, 'DPoP proof htu mismatch');
});

test('a replayed proof (same jti) is refused', async (t) => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  const once = await proof(pair, 'POST', tokenEndpoint);
  const first = await tokenWithProof(once);
  t.is(first.status, 200);
  t.is(first.json.token_type, 'DPoP');
  const again = await tokenWithProof(once);
  t.is(again.status, 400);
  // At the token endpoint oidc-provider refuses a replay as invalid_grant ("DPoP proof JWT
  // Replay detected" stays in its logs); the jti is remembered through our adapter, so every
  // replica sees it.
  t.deepEqual(again.json, {
    error: 'invalid_grant',
    error_description: 'grant request is invalid',
  });
  // A new proof (new jti) with the same key is fine.
  t.is((await tokenWithProof(await proof(pair, 'POST', tokenEndpoint))).status, 200);
});

test('a public client’s refresh token is bound to its DPoP key', async (t) => {
  const app = await stack.cli<{ client_id: string }>([
    'clients',
    'create',
    '--name',
    'dpop native app',
    '--public',
    '--grant',
    'authorization_code',
    'refresh_token',
    '--redirect-uri',
    REDIRECT,
    '--resource',
    stack.api,
    '--scope',
    'openid offline_access notes:read',
    '--require-dpop',
  ]);
  const config = await client.discovery(
    new URL(stack.issuer),
    app.client_id,
    undefined,
    client.None(),
    { execute: [client.allowInsecureRequests] },
  );
  const pair = await client.randomDPoPKeyPair('ES256');
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid offline_access notes:read',
    resource: stack.api,
    prompt: 'consent',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const browser = new HttpBrowser(stack.issuer);
  const login = await browser.follow(url.href);
  const { next: consent } = await submitForm(browser, login, {
    username: 'dora',
    password: PASSWORD,
  });
  const { next: back } = await submitForm(browser, consent, { decision: 'approve' });
  if (!back.left) throw new Error(`no redirect back: ${back.response.status}`);
  const tokens = await client.authorizationCodeGrant(
    config,
    new URL(back.left),
    { pkceCodeVerifier: verifier },
    undefined,
    { DPoP: client.getDPoPHandle(config, pair) },
  );
  t.is(tokens.token_type, 'dpop');
  t.deepEqual(decodeJwt(tokens.access_token).cnf, { jkt: await thumbprintOf(pair) });
  const refreshToken = tokens.refresh_token as string;

  // Another key, or none, cannot use it; neither consumes it.
  const other = await client.randomDPoPKeyPair('ES256');
  const withOther = await client
    .refreshTokenGrant(config, refreshToken, undefined, {
      DPoP: client.getDPoPHandle(config, other),
    })
    .then(
      () => undefined,
      (e: unknown) => e as client.ResponseBodyError,
    );
  t.is(withOther?.error, 'invalid_grant');
  t.is(withOther?.error_description, 'grant request is invalid');
  t.is(await oauthError(client.refreshTokenGrant(config, refreshToken)), 'invalid_grant');

  const refreshed = await client.refreshTokenGrant(config, refreshToken, undefined, {
    DPoP: client.getDPoPHandle(config, pair),
  });
  t.is(refreshed.token_type, 'dpop');
  t.deepEqual(decodeJwt(refreshed.access_token).cnf, { jkt: await thumbprintOf(pair) });
});

/**
 * The example API's resource server with DPoP required, as the Koa guide sets it up: same
 * audience (the tokens are for the stack's API), its own URL as `publicUrl` (the proofs' `htu`).
 */
async function startDpopApi() {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const rs = createResourceServer({
    issuer: stack.issuer,
    audience: stack.api,
    publicUrl: url,
    dpop: { required: true },
  });
  const app = new Koa();
  app.use(rs.authenticate());
  app.use((ctx) => {
    ctx.body = { sub: ctx.state.auth.subject };
  });
  const server = app.listen(port, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { url, server };
}

const wwwAuthenticate = (response: Response) => response.headers.get('www-authenticate') ?? '';

/**
 * Gets a DPoP-bound token for the service, then checks that the API at `base` takes it on
 * `/notes` with a proof by its key only: another key's proof is `invalid_token`, and as a plain
 * Bearer token the challenge offers only DPoP. Returns the accepted answer and the token.
 */
async function onlyWithItsProof(t: ExecutionContext, base: string) {
  const config = await discoverClient(stack.issuer, service);
  const pair = await client.randomDPoPKeyPair('ES256');
  const { access_token: token } = await client.clientCredentialsGrant(
    config,
    { scope: 'notes:read', resource: stack.api },
    { DPoP: client.getDPoPHandle(config, pair) },
  );
  const notes = new URL(`${base}/notes`);
  const call = (key: KeyPair) =>
    client
      .fetchProtectedResource(config, token, notes, 'GET', undefined, undefined, {
        DPoP: client.getDPoPHandle(config, key),
      })
      .then(
        (response) => response,
        (error: unknown) => (error as { response: Response }).response,
      );

  const accepted = await call(pair);
  t.is(accepted.status, 200);

  // The same token with a proof by another key: its thumbprint is not the token's cnf.jkt.
  const otherKey = await call(await client.randomDPoPKeyPair('ES256'));
  t.is(otherKey.status, 401);
  t.regex(
    wwwAuthenticate(otherKey),
    /^DPoP .*error="invalid_token", error_description="the access token is bound to another key than the proof"/,
  );

  // As a plain Bearer token: Bearer is not a scheme it takes, so the answer only offers DPoP
  // (RFC 6750 §3.1: no error code).
  const bearer = await fetch(notes, { headers: { authorization: `Bearer ${token}` } });
  t.is(bearer.status, 401);
  t.regex(wwwAuthenticate(bearer), /^DPoP realm="[^"]+", algs="/);
  t.notRegex(wwwAuthenticate(bearer), /error=/);
  return { accepted, token };
}

test('an AS-issued DPoP token works at the resource server with its proof, and only so', async (t) => {
  const { accepted, token } = await onlyWithItsProof(t, dpopApi.url);
  t.deepEqual(await accepted.json(), { sub: service.client_id });
  // The stack's example API has DPoP off, its default: it never takes a key-bound token as
  // Bearer.
  const atExample = await fetch(`${stack.api}/notes`, {
    headers: { authorization: `Bearer ${token}` },
  });
  t.is(atExample.status, 401);
  t.regex(
    wwwAuthenticate(atExample),
    /^Bearer .*error="invalid_token", error_description="the access token is bound to a key and cannot be used as a Bearer token"/,
  );
});

test('the example API with DPoP required takes an AS-issued DPoP token with its proof, and only so', async (t) => {
  const { accepted } = await onlyWithItsProof(t, exampleApi.url);
  t.deepEqual(await accepted.json(), []);
});
