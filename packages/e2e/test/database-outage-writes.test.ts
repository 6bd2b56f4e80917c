import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import * as client from 'openid-client';
import { type Stack, startStack } from '../src/index.ts';
import {
  authorizationCodeGrant,
  discover,
  type OutageClients,
  postForm,
  REDIRECT,
  REPORTS,
  registerOutageClients,
  signIn,
} from './database-outage-fixtures.ts';

// The database failing at the worst moment of a request, made deterministic: a trigger makes
// one kind of write fail with PostgreSQL's connection_failure (what a server going away in the
// middle of a request looks like to us), or a view makes a lookup fail the same way. The
// request must be answered 503 with Retry-After — never a 500, never a 200 for what did not
// happen — and must leave nothing half done: the same request works again afterwards.

let database: TestDatabase;
let stack: Stack;
let clients: OutageClients;

test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url);
  clients = await registerOutageClients(stack);
  await database.db.raw(`
    CREATE FUNCTION portcullis_test_fail() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'simulated connection failure' USING ERRCODE = '08006';
    END $$`);
});
test.after.always(async () => {
  await stack?.stop();
  await database?.drop();
});

/** Makes `event` (INSERT, DELETE) of `model` rows fail until the returned function is called. */
async function failWrites(event: 'INSERT' | 'DELETE', model: string) {
  const row = event === 'INSERT' ? 'NEW' : 'OLD';
  await database.db.raw(
    `CREATE TRIGGER portcullis_test_fail BEFORE ${event} ON oidc_artifacts FOR EACH ROW
     WHEN (${row}.model = '${model}') EXECUTE FUNCTION portcullis_test_fail()`,
  );
  return () => database.db.raw('DROP TRIGGER portcullis_test_fail ON oidc_artifacts');
}

const tokenUrl = () => `${stack.issuer}/token`;
const unavailable = {
  status: 503,
  retryAfter: '5',
  body: {
    error: 'temporarily_unavailable',
    error_description: 'the service is temporarily unavailable, retry later',
  },
};

test.serial(
  'a refresh whose new token cannot be saved: 503, and the same refresh token works after',
  async (t) => {
    const { config, tokens } = await authorizationCodeGrant(stack, clients.app);
    const refresh = { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string };

    const restore = await failWrites('INSERT', 'RefreshToken');
    const failed = await postForm(tokenUrl(), clients.app, refresh);
    await restore();
    t.deepEqual(failed, unavailable);

    // Not consumed: the client's retry is an ordinary refresh, not a reuse that revokes the grant.
    const retried = await client.refreshTokenGrant(config, refresh.refresh_token);
    t.truthy(retried.refresh_token);
    t.not(retried.refresh_token, refresh.refresh_token);
    const again = await client.refreshTokenGrant(config, retried.refresh_token as string);
    t.truthy(again.access_token, 'the grant lives on');
  },
);

test.serial(
  'a code exchange whose tokens cannot be saved: 503, and the same code works after',
  async (t) => {
    const { config, verifier, state, callback } = await signIn(stack, clients.app);
    const code = callback.searchParams.get('code') as string;

    const restore = await failWrites('INSERT', 'RefreshToken');
    const failed = await postForm(tokenUrl(), clients.app, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    });
    await restore();
    t.deepEqual(failed, unavailable);

    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    t.truthy(tokens.refresh_token, 'the code was not used up by the failed exchange');
  },
);

test.serial(
  'a revocation that cannot delete: 503, never 200, and the token stays active',
  async (t) => {
    const form = { grant_type: 'client_credentials', resource: REPORTS, scope: 'reports:read' };
    const token = (await postForm(tokenUrl(), clients.dashboard, form)).body.access_token as string;

    const restore = await failWrites('DELETE', 'ClientCredentials');
    const failed = await postForm(`${stack.issuer}/token/revocation`, clients.dashboard, { token });
    await restore();
    t.deepEqual(failed, unavailable);

    const introspect = () =>
      postForm(`${stack.issuer}/token/introspection`, clients.reportsApi, { token });
    t.true((await introspect()).body.active, 'the revocation did not happen, and was not claimed');
    const revoked = await postForm(`${stack.issuer}/token/revocation`, clients.dashboard, {
      token,
    });
    t.is(revoked.status, 200);
    t.false((await introspect()).body.active);
  },
);

test.serial('an account that cannot be looked up: 503 with Retry-After, not 500', async (t) => {
  const { config, tokens } = await authorizationCodeGrant(stack, clients.app);
  const refresh = { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string };
  // The users table behind a view that fails every read, the way a lost connection does.
  await database.db.raw(`
    CREATE FUNCTION portcullis_test_fail_read() RETURNS boolean LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'simulated connection failure' USING ERRCODE = '08006';
    END $$;
    ALTER TABLE users RENAME TO users_kept;
    CREATE VIEW users AS SELECT * FROM users_kept WHERE portcullis_test_fail_read()`);
  const failed = await postForm(tokenUrl(), clients.app, refresh);
  await database.db.raw(`
    DROP VIEW users;
    ALTER TABLE users_kept RENAME TO users;
    DROP FUNCTION portcullis_test_fail_read()`);
  t.deepEqual(failed, unavailable);

  const retried = await client.refreshTokenGrant(config, refresh.refresh_token);
  t.truthy(retried.access_token, 'nothing was consumed');
});

test.serial(
  'an authorization whose interaction cannot be saved: the 503 page for browsers',
  async (t) => {
    const config = await discover(stack, clients.app);
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const restore = await failWrites('INSERT', 'Interaction');
    const page = await fetch(url, { headers: { accept: 'text/html' }, redirect: 'manual' });
    await restore();
    t.is(page.status, 503);
    t.is(page.headers.get('retry-after'), '5');
    t.regex(await page.text(), /busy or down for a moment/);
  },
);
