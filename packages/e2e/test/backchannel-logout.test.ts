import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@portcullis/auth-server';
import { createTestDatabase, freePort, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import * as jose from 'jose';
import * as client from 'openid-client';
import {
  discoverClient,
  HttpBrowser,
  linkHref,
  type Stack,
  startStack,
  submitForm,
} from '../src/index.ts';

// OIDC Back-Channel Logout 1.0 (issue 12, item 7): apps registered with a logout URI get a logout
// token, POSTed by the server to a real receiver here, when a session they were signed in through
// ends, by RP-initiated logout or by the account page's "Sign out"; a receiver that is down or
// never answers does not stop the sign-out.

const PASSWORD = 'backchannel-logout-password';
const REDIRECT = 'http://127.0.0.1:8771/callback';
const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** A logout token as the receiver got it: the path it was posted to and the form's token. */
interface Delivery {
  path: string;
  contentType: string | undefined;
  token: string;
}

let database: TestDatabase;
let stack: Stack;
let receiver: http.Server;
let receiverUrl: string;
const deliveries: Delivery[] = [];
const logLines: Array<Record<string, unknown>> = [];

const capture = (level: string) => (message: string, fields?: Record<string, unknown>) => {
  logLines.push({ level, message, ...fields });
};
const logger: Logger = { info: capture('info'), warn: capture('warn'), error: capture('error') };

test.before(async () => {
  database = await createTestDatabase();
  // The receiver of every app: answers 200 on /ok/..., and never answers on /hang/... (a receiver
  // stuck behind a dead upstream).
  receiver = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      const token = new URLSearchParams(body).get('logout_token') ?? '';
      deliveries.push({ path: req.url ?? '', contentType: req.headers['content-type'], token });
      if (req.url?.startsWith('/hang/')) return;
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  stack = await startStack(
    database.db,
    database.url,
    { PORTCULLIS_METRICS_PORT: '0', PORTCULLIS_METRICS_HOST: '127.0.0.1' },
    { logger },
  );
  await stack.cli(['users', 'create', '--username', 'erin', '--password-stdin'], `${PASSWORD}\n`);
});
test.after.always(async () => {
  await stack?.stop();
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
  await database?.drop();
});

/** A first-party web app signing users in with openid; `logout` is its back-channel logout URI. */
async function webApp(name: string, logout: string | undefined, sessionRequired = false) {
  const credentials = await stack.cli<{ client_id: string; client_secret: string }>([
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
    ...(logout ? ['--backchannel-logout-uri', logout] : []),
    ...(sessionRequired ? ['--backchannel-logout-session-required'] : []),
  ]);
  return { id: credentials.client_id, config: await discoverClient(stack.issuer, credentials) };
}
type WebApp = Awaited<ReturnType<typeof webApp>>;

/** An authorization request of `app` for openid, with the PKCE challenge of `verifier`. */
async function authorizationUrl(app: WebApp, verifier: string) {
  return client.buildAuthorizationUrl(app.config, {
    redirect_uri: REDIRECT,
    scope: 'openid',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
}

/** Signs erin in to `app` in `browser` (the login page the first time) and returns her ID token. */
async function signIn(browser: HttpBrowser, app: WebApp) {
  const verifier = client.randomPKCECodeVerifier();
  const url = await authorizationUrl(app, verifier);
  let step = await browser.follow(url.href);
  if (!step.left) {
    step = (await submitForm(browser, step, { username: 'erin', password: PASSWORD })).next;
  }
  const tokens = await client.authorizationCodeGrant(app.config, new URL(step.left as string), {
    pkceCodeVerifier: verifier,
  });
  return tokens.claims() as client.IDToken & { sid?: string };
}

/** Ends the browser's whole session through `app`'s RP-initiated logout ("Yes, sign me out"). */
async function rpInitiatedLogout(browser: HttpBrowser, app: WebApp) {
  const confirm = await browser.follow(client.buildEndSessionUrl(app.config, {}).href);
  const { next } = await submitForm(browser, confirm, { logout: 'yes' }, 'op.logoutForm');
  return next.response.text();
}

const deliveredTo = (prefix: string) => deliveries.filter((d) => d.path.startsWith(prefix));

/** Verifies a logout token as an app must (Back-Channel Logout 1.0 §2.6), with jose. */
async function verifyLogoutToken(token: string, clientId: string) {
  const jwks = jose.createRemoteJWKSet(new URL(`${stack.issuer}/jwks`));
  const { payload, protectedHeader } = await jose.jwtVerify(token, jwks, {
    issuer: stack.issuer,
    audience: clientId,
    typ: 'logout+jwt',
    requiredClaims: ['iat', 'jti', 'events'],
  });
  return { payload, protectedHeader };
}

test('discovery advertises back-channel logout, with the session id', async (t) => {
  const metadata = (await (
    await fetch(`${stack.issuer}/.well-known/openid-configuration`)
  ).json()) as Record<string, unknown>;
  t.true(metadata.backchannel_logout_supported);
  t.true(metadata.backchannel_logout_session_supported);
  t.is(metadata.frontchannel_logout_supported, undefined, 'front-channel logout stays off');
});

test.serial(
  'RP-initiated logout sends a verified logout token to each app of the session, and to no other',
  async (t) => {
    const withSid = await webApp('Mail', `${receiverUrl}/ok/mail`, true);
    const subOnly = await webApp('Calendar', `${receiverUrl}/ok/calendar`);
    const otherSession = await webApp('Drive', `${receiverUrl}/ok/drive`);
    const noUri = await webApp('Notes', undefined);

    const browser = new HttpBrowser(stack.issuer);
    const mailIdToken = await signIn(browser, withSid);
    const calendarIdToken = await signIn(browser, subOnly);
    await signIn(browser, noUri);
    // erin is also signed in to Drive, from another browser that stays signed in.
    await signIn(new HttpBrowser(stack.issuer), otherSession);
    t.truthy(mailIdToken.sid, 'an app that requires sid gets it in its ID token');

    t.regex(await rpInitiatedLogout(browser, withSid), /You are signed out/);

    t.deepEqual(
      deliveries.map((d) => d.path).sort(),
      ['/ok/calendar', '/ok/mail'],
      'Mail and Calendar were in the session; Drive was not, Notes has no logout URI',
    );
    const mail = deliveredTo('/ok/mail')[0] as Delivery;
    t.is(mail.contentType, 'application/x-www-form-urlencoded');
    const { payload } = await verifyLogoutToken(mail.token, withSid.id);
    t.deepEqual(payload.events, { [EVENT]: {} });
    t.is(payload.sub, mailIdToken.sub);
    t.is(payload.sid, mailIdToken.sid, 'the sid of the ID token the app got');
    t.is(payload.nonce, undefined, 'a logout token never carries a nonce (§2.4)');
    t.is(typeof payload.jti, 'string');

    const calendar = deliveredTo('/ok/calendar')[0] as Delivery;
    const calendarToken = await verifyLogoutToken(calendar.token, subOnly.id);
    t.is(calendarToken.payload.sub, calendarIdToken.sub);
    t.is(calendarToken.payload.sid, undefined, 'sid only for apps that require it');
    t.not(calendarToken.payload.jti, payload.jti);
    // A logout token is no access token: the Mail app's audience is not an API.
    await t.throwsAsync(verifyLogoutToken(mail.token, subOnly.id), {
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    });
    deliveries.length = 0;
  },
);

test.serial(
  'RP-initiated logout with "No, stay signed in" tells only the app that asked',
  async (t) => {
    const asking = await webApp('Tasks', `${receiverUrl}/ok/tasks`, true);
    const staying = await webApp('Wiki', `${receiverUrl}/ok/wiki`, true);
    const browser = new HttpBrowser(stack.issuer);
    const idToken = await signIn(browser, asking);
    await signIn(browser, staying);

    const confirm = await browser.follow(client.buildEndSessionUrl(asking.config, {}).href);
    await submitForm(browser, confirm, {}, 'op.logoutForm');

    t.deepEqual(
      deliveries.map((d) => d.path),
      ['/ok/tasks'],
    );
    const { payload } = await verifyLogoutToken((deliveries[0] as Delivery).token, asking.id);
    t.is(payload.sid, idToken.sid);
    // The session goes on for the other app: it signs in again without the login page.
    const again = await browser.follow(
      (await authorizationUrl(staying, client.randomPKCECodeVerifier())).href,
    );
    t.truthy(again.left, 'still signed in for Wiki');
    deliveries.length = 0;
  },
);

test.serial("the account page's Sign out sends the session's apps a logout token", async (t) => {
  const app = await webApp('Photos', `${receiverUrl}/ok/photos`, true);
  const browser = new HttpBrowser(stack.issuer);
  const idToken = await signIn(browser, app);

  const account = await browser.follow(`${stack.issuer}/account`);
  const signedOut = await submitForm(browser, account, {}, undefined);
  t.regex(await signedOut.next.response.text(), /name="password"/, 'the sign-in form again');

  t.deepEqual(
    deliveries.map((d) => d.path),
    ['/ok/photos'],
  );
  const { payload } = await verifyLogoutToken((deliveries[0] as Delivery).token, app.id);
  t.is(payload.sub, idToken.sub);
  t.is(payload.sid, idToken.sid);
  t.deepEqual(payload.events, { [EVENT]: {} });
  deliveries.length = 0;
});

test.serial(
  "removing an app's access on the account page sends that app, and only it, a logout token",
  async (t) => {
    const removed = await webApp('Maps', `${receiverUrl}/ok/maps`, true);
    const kept = await webApp('Music', `${receiverUrl}/ok/music`);
    const browser = new HttpBrowser(stack.issuer);
    const idToken = await signIn(browser, removed);
    await signIn(browser, kept);

    const account = await browser.follow(`${stack.issuer}/account`);
    const removal = linkHref(await account.response.text(), /Remove access for Maps/) as string;
    const confirm = await browser.follow(`${stack.issuer}${removal}`);
    const { next } = await submitForm(browser, confirm, {});
    t.notRegex(await next.response.text(), /Remove access for Maps/, 'its access is gone');

    t.deepEqual(
      deliveries.map((d) => d.path),
      ['/ok/maps'],
    );
    const { payload } = await verifyLogoutToken((deliveries[0] as Delivery).token, removed.id);
    t.is(payload.sub, idToken.sub);
    t.is(payload.sid, idToken.sid, "the sid of the app's sign-in in this browser");
    deliveries.length = 0;
  },
);

test.serial(
  'a receiver that is down or never answers does not stop the sign-out; the failure is logged without the token',
  async (t) => {
    const down = await webApp('Down', `http://127.0.0.1:${await freePort()}/logout`);
    const hanging = await webApp('Hanging', `${receiverUrl}/hang/logout`);
    const healthy = await webApp('Healthy', `${receiverUrl}/ok/healthy`, true);
    const browser = new HttpBrowser(stack.issuer);
    await signIn(browser, down);
    await signIn(browser, hanging);
    await signIn(browser, healthy);

    t.regex(await rpInitiatedLogout(browser, healthy), /You are signed out/);
    // Signed out for real: the next authorization request asks for the password again.
    const again = await browser.follow(
      (await authorizationUrl(healthy, client.randomPKCECodeVerifier())).href,
    );
    t.regex(await again.response.text(), /name="password"/);

    const healthyDelivery = deliveredTo('/ok/healthy')[0] as Delivery;
    await verifyLogoutToken(healthyDelivery.token, healthy.id);
    const hung = deliveredTo('/hang/')[0] as Delivery;
    t.truthy(hung.token, 'the hanging receiver got the token but never answered');

    const failures = logLines.filter((l) => l.message === 'back-channel logout not delivered');
    t.deepEqual(failures.map((l) => l.client_id).sort(), [down.id, hanging.id].sort());
    t.true(failures.every((l) => l.level === 'warn' && typeof l.error === 'string'));
    const log = JSON.stringify(logLines);
    t.false(log.includes(hung.token), 'the undelivered token is not in the log');
    t.false(log.includes(healthyDelivery.token));
    t.false(/eyJ[\w-]+\.[\w-]+\./.test(log), 'no JWT at all in the log');

    const metrics = await (await fetch(stack.metricsUrl as string)).text();
    t.regex(
      metrics,
      new RegExp(
        `portcullis_backchannel_logouts_total\\{client_id="${down.id}",result="failed"\\} 1`,
      ),
    );
    t.regex(
      metrics,
      new RegExp(
        `portcullis_backchannel_logouts_total\\{client_id="${healthy.id}",result="delivered"\\} 1`,
      ),
    );
    deliveries.length = 0;
  },
);
