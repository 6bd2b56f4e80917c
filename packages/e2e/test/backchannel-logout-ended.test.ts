import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import * as jose from 'jose';
import * as client from 'openid-client';
import {
  capturedLog,
  discoverClient,
  HttpBrowser,
  linkHref,
  linkIn,
  type MailStack,
  startMailStack,
  submitForm,
  until,
} from '../src/index.ts';

// Sessions ended by something other than a logout (issue 13): a password reset or change on the
// pages, `users disable|delete` and `users mfa reset` from the CLI (another process, which sends
// no HTTP). Each app the ended session signed in to that registered a back-channel logout URI
// gets its logout token, POSTed by the server to a real receiver here; the session kept by a
// password change is not ended and its app is told nothing.

const PASSWORD = 'ended-sessions-password';
const NEW = 'a-new-ended-sessions-password';
const REDIRECT = 'http://127.0.0.1:8772/callback';
const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

interface Delivery {
  path: string;
  token: string;
}

let mail: MailStack;
let receiver: http.Server;
let receiverUrl: string;
const deliveries: Delivery[] = [];
const log = capturedLog();

test.before(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      deliveries.push({
        path: req.url ?? '',
        token: new URLSearchParams(body).get('logout_token') ?? '',
      });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  mail = await startMailStack({}, { logger: log.logger });
});
test.after.always(async () => {
  await mail?.stop();
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
});

/** A first-party web app whose logout tokens go to /ok/`name`, with the session id. */
async function webApp(name: string) {
  const credentials = await mail.stack.cli<{ client_id: string; client_secret: string }>([
    'clients',
    'create',
    '--name',
    name,
    '--first-party',
    '--grant',
    'authorization_code',
    '--redirect-uri',
    REDIRECT,
    '--scope',
    'openid',
    '--backchannel-logout-uri',
    `${receiverUrl}/ok/${name}`,
    '--backchannel-logout-session-required',
  ]);
  return {
    id: credentials.client_id,
    config: await discoverClient(mail.stack.issuer, credentials),
  };
}
type WebApp = Awaited<ReturnType<typeof webApp>>;

async function createUser(username: string) {
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
}

/** Signs `username` in to `app` in `browser`: the ID token's claims (with its `sid`). */
async function signIn(browser: HttpBrowser, app: WebApp, username: string) {
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(app.config, {
    redirect_uri: REDIRECT,
    scope: 'openid',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  let step = await browser.follow(url.href);
  if (!step.left) {
    step = (await submitForm(browser, step, { username, password: PASSWORD })).next;
  }
  const tokens = await client.authorizationCodeGrant(app.config, new URL(step.left as string), {
    pkceCodeVerifier: verifier,
  });
  return tokens.claims() as client.IDToken & { sid: string };
}

/** The logout tokens delivered to `app` once `count` have come, verified as an app must. */
async function logoutTokensOf(app: { id: string }, name: string, count: number) {
  const to = () => deliveries.filter((d) => d.path === `/ok/${name}`);
  await until(`${count} logout token(s) reach ${name}`, () => to().length >= count);
  const jwks = jose.createRemoteJWKSet(new URL(`${mail.stack.issuer}/jwks`));
  return Promise.all(
    to().map(async (d) => {
      const { payload } = await jose.jwtVerify(d.token, jwks, {
        issuer: mail.stack.issuer,
        audience: app.id,
        typ: 'logout+jwt',
        requiredClaims: ['iat', 'jti', 'events', 'sid'],
      });
      return payload;
    }),
  );
}

test('a password reset that ends the sessions tells their apps', async (t) => {
  const app = await webApp('reset');
  await createUser('rosa');
  const signedIn = await signIn(new HttpBrowser(mail.stack.issuer), app, 'rosa');

  const browser = new HttpBrowser(mail.stack.issuer);
  const login = await browser.follow(`${mail.stack.issuer}/account`);
  const forgot = linkHref(await login.response.clone().text(), /Forgot your password\?/);
  const form = await browser.follow(new URL(forgot as string, mail.stack.issuer).href);
  await submitForm(browser, form, { email: 'rosa@example.test' });
  const reset = await browser.follow(linkIn((await mail.smtp.next('rosa@example.test')).text));
  const done = await submitForm(browser, reset, {
    new_password: NEW,
    confirm_password: NEW,
    end_sessions: 'on',
  });
  t.regex(await done.next.response.text(), /Password changed/);

  const [payload] = await logoutTokensOf(app, 'reset', 1);
  t.is(payload?.sub, signedIn.sub);
  t.is(payload?.sid, signedIn.sid);
  t.deepEqual(payload?.events, { [EVENT]: {} });
  const left = await mail.database.db('logout_notices').where({ account_id: signedIn.sub });
  t.deepEqual(left, [], 'the notice was taken');
});

test('a password change tells the apps of the other sessions, not of the one kept', async (t) => {
  const app = await webApp('change');
  await createUser('cato');
  const elsewhere = await signIn(new HttpBrowser(mail.stack.issuer), app, 'cato');
  const here = new HttpBrowser(mail.stack.issuer);
  const kept = await signIn(here, app, 'cato');
  t.not(kept.sid, elsewhere.sid);

  const form = await here.follow(`${mail.stack.issuer}/account/password`);
  const changed = await submitForm(here, form, {
    current_password: PASSWORD,
    new_password: NEW,
    confirm_password: NEW,
  });
  t.regex(await changed.next.response.text(), /Password changed/);

  const tokens = await logoutTokensOf(app, 'change', 1);
  t.deepEqual(
    tokens.map((p) => p.sid),
    [elsewhere.sid],
  );
  // Another sign-out after it makes sure no second token was on its way for the kept session.
  const canary = await webApp('change-canary');
  await createUser('cato-canary');
  await signIn(new HttpBrowser(mail.stack.issuer), canary, 'cato-canary');
  await mail.stack.cli(['users', 'disable', 'cato-canary']);
  await logoutTokensOf(canary, 'change-canary', 1);
  t.is(deliveries.filter((d) => d.path === '/ok/change').length, 1);
});

for (const [action, args] of [
  ['disable', (u: string) => ['users', 'disable', u]],
  ['delete', (u: string) => ['users', 'delete', u]],
  ['mfa-reset', (u: string) => ['users', 'mfa', 'reset', u, '--yes']],
] as const) {
  test(`the CLI's users ${args('USER').slice(1).join(' ')} tells the apps of every session`, async (t) => {
    const app = await webApp(action);
    const username = `user-${action}`;
    await createUser(username);
    const first = await signIn(new HttpBrowser(mail.stack.issuer), app, username);
    const second = await signIn(new HttpBrowser(mail.stack.issuer), app, username);
    await mail.stack.cli([...args(username)]);
    const tokens = await logoutTokensOf(app, action, 2);
    t.deepEqual(tokens.map((p) => p.sid).sort(), [first.sid, second.sid].sort());
    t.true(tokens.every((p) => p.sub === first.sub));
  });
}
