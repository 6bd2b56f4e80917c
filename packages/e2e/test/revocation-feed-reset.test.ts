import { type RunningExampleApi, startExampleApi } from '@portcullis/example-api';
import { freePort } from '@portcullis/storage/testing';
import test from 'ava';
import * as client from 'openid-client';
import {
  discoverClient,
  HttpBrowser,
  linkHref,
  linkIn,
  type MailStack,
  startMailStack,
  submitForm,
  until,
} from '../src/index.ts';

// The revocation path that goes through the mail: a password reset that signs out everywhere
// ends the user's tokens, and an API following the revocation feed refuses their JWT access
// tokens within 2 s; a reset that keeps the sign-ins revokes nothing.

const PASSWORD = 'reset-feed-password';
const REDIRECT = 'http://127.0.0.1:8793/callback';

let mail: MailStack;
let api: RunningExampleApi;
let app: client.Configuration;

test.before(async () => {
  mail = await startMailStack();
  const { stack } = mail;
  const notesApi = await stack.cli<{ client_id: string; client_secret: string }>([
    'clients',
    'create',
    '--name',
    'notes-api',
    '--grant',
    'client_credentials',
  ]);
  await stack.cli(['resources', 'update', stack.api, '--introspection-client', notesApi.client_id]);
  const credentials = await stack.cli<{ client_id: string; client_secret: string }>([
    'clients',
    'create',
    '--name',
    'notes app',
    '--first-party',
    '--grant',
    'authorization_code',
    '--redirect-uri',
    REDIRECT,
    '--resource',
    stack.api,
    '--scope',
    'openid notes:read',
  ]);
  app = await discoverClient(stack.issuer, credentials);
  api = await startExampleApi({
    issuer: stack.issuer,
    audience: stack.api,
    port: await freePort(),
    revocationFeed: { clientId: notesApi.client_id, clientSecret: notesApi.client_secret },
  });
});
test.after.always(async () => {
  await api?.close();
  await mail?.stop();
});

async function accessTokenOf(username: string): Promise<string> {
  await mail.stack.cli(
    [
      'users',
      'create',
      '--username',
      username,
      '--password-stdin',
      '--email',
      `${username}@example.test`,
    ],
    `${PASSWORD}\n`,
  );
  const browser = new HttpBrowser(mail.stack.issuer);
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(app, {
    redirect_uri: REDIRECT,
    scope: 'openid notes:read',
    resource: mail.stack.api,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  let step = await browser.follow(url.href);
  if (!step.left) step = (await submitForm(browser, step, { username, password: PASSWORD })).next;
  const tokens = await client.authorizationCodeGrant(app, new URL(step.left as string), {
    pkceCodeVerifier: verifier,
  });
  return tokens.access_token;
}

async function resetPassword(username: string, endSessions: boolean): Promise<void> {
  const browser = new HttpBrowser(mail.stack.issuer);
  const login = await browser.follow(`${mail.stack.issuer}/account`);
  const forgot = linkHref(await login.response.clone().text(), /Forgot your password\?/);
  const form = await browser.follow(new URL(forgot as string, mail.stack.issuer).href);
  await submitForm(browser, form, { email: `${username}@example.test` });
  const reset = await browser.follow(
    linkIn((await mail.smtp.next(`${username}@example.test`)).text),
  );
  const next = `${username}-new-long-password`;
  await submitForm(browser, reset, {
    new_password: next,
    confirm_password: next,
    ...(endSessions ? { end_sessions: 'on' } : {}),
  });
}

const status = async (token: string) => {
  const response = await fetch(`${api.url}/me`, { headers: { authorization: `Bearer ${token}` } });
  await response.body?.cancel();
  return response.status;
};

test.serial('a password reset that signs out everywhere: refused within 2 s', async (t) => {
  const token = await accessTokenOf('rosa');
  t.is(await status(token), 200);
  await resetPassword('rosa', true);
  await until(
    'the API refuses the token after the reset',
    async () => (await status(token)) === 401,
    2,
  );
  t.pass();
});

test.serial('a password reset that keeps the sign-ins revokes no token', async (t) => {
  const token = await accessTokenOf('otto');
  t.is(await status(token), 200);
  const cursor = api.revocationFeed()?.cursor;
  await resetPassword('otto', false);
  // The feed moved on for nothing of otto's: a revocation made after it is seen, his token works.
  await mail.stack.cli(
    ['users', 'create', '--username', 'marker', '--password-stdin'],
    `${PASSWORD}\n`,
  );
  await mail.stack.cli(['users', 'disable', 'marker']);
  await until('the API reads past the reset', () => api.revocationFeed()?.cursor !== cursor, 5);
  t.is(await status(token), 200);
});
