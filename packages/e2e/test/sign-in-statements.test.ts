import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import * as client from 'openid-client';
import { discoverClient, HttpBrowser, type Stack, startStack, submitForm } from '../src/index.ts';

// How many SQL statements one third-party sign-in costs the authorization server: authorization
// request, login form, consent form, code exchange (issue 16, item 2). A count, not a time: the
// same flow makes the same statements on any machine.
const REDIRECT = 'http://127.0.0.1:8765/callback';
const PASSWORD = 'correct horse battery staple';

let database: TestDatabase;
let stack: Stack;
let app: { client_id: string; client_secret: string };

test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url);
  await stack.cli(['users', 'create', '--username', 'alice', '--password-stdin'], `${PASSWORD}\n`);
  await stack.cli(['users', 'create', '--username', 'bob', '--password-stdin'], `${PASSWORD}\n`);
  app = await stack.cli([
    'clients',
    'create',
    '--name',
    'Notes Viewer',
    '--grant',
    'authorization_code',
    '--redirect-uri',
    REDIRECT,
    '--resource',
    stack.api,
    '--scope',
    'openid notes:read',
  ]);
});
test.after.always(async () => {
  await stack?.stop();
  await database?.drop();
});

/** One flow of `username` to the app: authorize, login, consent, code exchange. */
async function signIn(config: client.Configuration, username: string) {
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid notes:read',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const browser = new HttpBrowser(stack.issuer);
  let step = await browser.follow(url.href);
  for (let i = 0; i < 3 && !step.left; i += 1) {
    const isLogin = (await step.response.clone().text()).includes('name="password"');
    const fields: Record<string, string> = isLogin
      ? { username, password: PASSWORD }
      : { decision: 'approve' };
    step = (await submitForm(browser, step, fields)).next;
  }
  if (!step.left) throw new Error(`no redirect back: ${step.response.status}`);
  return client.authorizationCodeGrant(config, new URL(step.left), { pkceCodeVerifier: verifier });
}

// Work of the process on its own schedule (signing keys, the janitor), not of the flow.
const BACKGROUND = /signing_keys|pg_try_advisory/;

// 44 before issue 16; 40 with each request reading an interaction, session or grant once and a
// code redeemed for a JWT alone consumed without a transaction around its one UPDATE. What is
// left is mostly oidc-provider's interaction round trips (docs/benchmarks.md).
const STATEMENTS_PER_FLOW = 40;

test.serial('one sign-in flow makes a known number of SQL statements', async (t) => {
  const config = await discoverClient(stack.issuer, app);
  // The first flow warms what the process keeps (signing keys, the client, the resources).
  await signIn(config, 'alice');
  const statements: string[] = [];
  const onQuery = (query: { sql: string }) => {
    if (!BACKGROUND.test(query.sql)) statements.push(query.sql);
  };
  database.db.on('query', onQuery);
  try {
    const tokens = await signIn(config, 'bob');
    t.truthy(tokens.access_token);
    t.truthy(tokens.id_token);
  } finally {
    database.db.off('query', onQuery);
  }
  t.is(statements.length, STATEMENTS_PER_FLOW, statements.join('\n'));
  // The code is consumed by one conditional UPDATE of its own (authorization-code.test.ts
  // redeems one twice).
  t.is(statements.filter((sql) => sql.startsWith('update "oidc_artifacts"')).length, 1);
  t.false(statements.some((sql) => sql === 'BEGIN;'));
});
