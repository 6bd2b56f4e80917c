import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import * as client from 'openid-client';
import {
  capturedLog,
  HttpBrowser,
  linkHref,
  linkIn,
  type SmtpReceiver,
  type Stack,
  startSmtpReceiver,
  startStack,
  submitForm,
} from '../src/index.ts';

const REDIRECT = 'http://127.0.0.1:8768/callback';
const OLD = 'the-first-password';
const NEW = 'a-brand-new-password';

let database: TestDatabase;
let smtp: SmtpReceiver;
let stack: Stack;
let app: { client_id: string; client_secret: string };
const log = capturedLog();

test.before(async () => {
  database = await createTestDatabase();
  smtp = await startSmtpReceiver();
  stack = await startStack(
    database.db,
    database.url,
    { PORTCULLIS_SMTP_URL: smtp.url, PORTCULLIS_MAIL_FROM: 'Sign-in <no-reply@example.test>' },
    { logger: log.logger },
  );
  app = await stack.cli([
    'clients',
    'create',
    '--name',
    'Mail Test App',
    '--grant',
    'authorization_code',
    'refresh_token',
    '--redirect-uri',
    REDIRECT,
    '--scope',
    'openid email offline_access',
    '--first-party',
  ]);
});
test.after.always(async () => {
  await stack?.stop();
  await smtp?.stop();
  await database?.drop();
});

async function createUser(username: string, email: string, password = OLD) {
  await stack.cli(
    ['users', 'create', '--username', username, '--password-stdin', '--email', email],
    `${password}\n`,
  );
}

/** Signs `username` in to the app in `browser`: its tokens and ID token claims. */
async function signInToApp(browser: HttpBrowser, username: string, password: string) {
  const config = await client.discovery(
    new URL(stack.issuer),
    app.client_id,
    undefined,
    client.ClientSecretBasic(app.client_secret),
    { execute: [client.allowInsecureRequests] },
  );
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid email offline_access',
    prompt: 'consent',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  let step = await browser.follow(url.href);
  if ((await step.response.clone().text()).includes('name="password"')) {
    step = (await submitForm(browser, step, { username, password })).next;
  }
  const tokens = await client.authorizationCodeGrant(config, new URL(step.left as string), {
    pkceCodeVerifier: verifier,
  });
  return { config, tokens };
}

/** Signs in on /account; true when the account page (not the login page) answers. */
async function signInToAccount(browser: HttpBrowser, username: string, password: string) {
  const login = await browser.follow(`${stack.issuer}/account`);
  const { next } = await submitForm(browser, login, { username, password });
  return (await next.response.text()).includes('Apps with access to your account');
}

async function requestReset(browser: HttpBrowser, email: string) {
  const login = await browser.follow(`${stack.issuer}/account`);
  const forgot = linkHref(await login.response.clone().text(), /Forgot your password\?/);
  if (!forgot) throw new Error('no "Forgot your password?" link');
  const form = await browser.follow(new URL(forgot, stack.issuer).href);
  const { next } = await submitForm(browser, form, { email });
  return { status: next.response.status, url: next.url, page: await next.response.text() };
}

test.serial(
  'password reset by mail: link, new password, old one refused, sessions and refresh tokens ended',
  async (t) => {
    await createUser('dana', 'dana@example.test');
    const appBrowser = new HttpBrowser(stack.issuer);
    const { config, tokens } = await signInToApp(appBrowser, 'dana', OLD);

    const browser = new HttpBrowser(stack.issuer);
    const sent = await requestReset(browser, 'DANA@example.test');
    t.is(sent.status, 200);
    t.regex(sent.page, /Check your mail/);
    const mail = await smtp.next('dana@example.test');
    t.regex(mail.from, /Sign-in"? <no-reply@example\.test>/);
    t.regex(mail.subject, /Reset your password/);
    const link = linkIn(mail.text);
    t.true(link.startsWith(`${stack.issuer}/account/password/reset/`));

    const form = await browser.follow(link);
    t.is(form.response.status, 200);
    // Two different passwords, then one the policy refuses: the link stays usable.
    const differ = await submitForm(browser, form, {
      new_password: NEW,
      confirm_password: `${NEW}x`,
    });
    t.is(differ.next.response.status, 400);
    t.regex(await differ.next.response.clone().text(), /The two new passwords differ/);
    const short = await submitForm(browser, differ.next, {
      new_password: 'short',
      confirm_password: 'short',
    });
    t.is(short.next.response.status, 400);
    t.regex(await short.next.response.clone().text(), /8 to 1024 characters/);

    const done = await submitForm(browser, short.next, {
      new_password: NEW,
      confirm_password: NEW,
      end_sessions: 'on',
    });
    t.is(done.next.response.status, 200);
    t.regex(await done.next.response.text(), /Password changed/);

    t.false(await signInToAccount(new HttpBrowser(stack.issuer), 'dana', OLD), 'old password');
    t.true(await signInToAccount(new HttpBrowser(stack.issuer), 'dana', NEW), 'new password');
    const refused = await client
      .refreshTokenGrant(config, tokens.refresh_token as string)
      .catch((error: { error?: string }) => error);
    t.is(
      (refused as { error?: string }).error,
      'invalid_grant',
      'the refresh token of before the reset is refused',
    );
    const account = await appBrowser.follow(`${stack.issuer}/account`);
    t.regex(await account.response.text(), /name="password"/, 'the old session is signed out');

    // The link works once.
    const again = await new HttpBrowser(stack.issuer).follow(link);
    t.is(again.response.status, 400);
    t.regex(await again.response.text(), /This link does not work/);

    const events = await database.db('audit_events').where({ type: 'password.reset' });
    t.is(events.length, 1);
    t.is(events[0].details.sign_ins_ended, true);
    t.false(log.text().includes(link.split('/').at(-1) as string), 'the link is never logged');
    t.false(log.text().includes(smtp.password), 'nor the SMTP password');
  },
);

test.serial('a reset that keeps the sessions leaves the refresh tokens working', async (t) => {
  await createUser('erin', 'erin@example.test');
  const { config, tokens } = await signInToApp(new HttpBrowser(stack.issuer), 'erin', OLD);
  const browser = new HttpBrowser(stack.issuer);
  await requestReset(browser, 'erin@example.test');
  const form = await browser.follow(linkIn((await smtp.next('erin@example.test')).text));
  const done = await submitForm(browser, form, { new_password: NEW, confirm_password: NEW });
  t.is(done.next.response.status, 200);
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token as string);
  t.truthy(refreshed.access_token);
});

test.serial('an unknown address gets the same answer and no mail', async (t) => {
  await createUser('fern', 'fern@example.test');
  const unknown = await requestReset(new HttpBrowser(stack.issuer), 'nobody@example.test');
  const known = await requestReset(new HttpBrowser(stack.issuer), 'fern@example.test');
  t.is(unknown.status, known.status);
  t.is(unknown.url, known.url);
  t.is(unknown.page, known.page);
  await smtp.next('fern@example.test');
  t.false(smtp.mails.some((mail) => mail.to === 'nobody@example.test'));
  const [event] = await database
    .db('audit_events')
    .where({ type: 'password.reset_requested', subject: null });
  t.deepEqual(event.details, { unknown_address: true });
});

test.serial('an expired reset link is refused', async (t) => {
  await createUser('gale', 'gale@example.test');
  const browser = new HttpBrowser(stack.issuer);
  await requestReset(browser, 'gale@example.test');
  const link = linkIn((await smtp.next('gale@example.test')).text);
  const form = await browser.follow(link);
  t.is(form.response.status, 200);
  // 30 minutes later.
  await database.db('user_tokens').update({ expires_at: new Date(Date.now() - 1000) });
  const done = await submitForm(browser, form, { new_password: NEW, confirm_password: NEW });
  t.is(done.next.response.status, 400);
  t.regex(await done.next.response.text(), /This link does not work/);
  t.true(await signInToAccount(new HttpBrowser(stack.issuer), 'gale', OLD), 'password kept');
});

test.serial('e-mail verification sets email_verified in userinfo', async (t) => {
  await createUser('hana', 'hana@example.test');
  const browser = new HttpBrowser(stack.issuer);
  const userinfo = async ({ config, tokens }: Awaited<ReturnType<typeof signInToApp>>) =>
    client.fetchUserInfo(config, tokens.access_token, tokens.claims()?.sub as string);
  t.is((await userinfo(await signInToApp(browser, 'hana', OLD))).email_verified, false);

  const account = await browser.follow(`${stack.issuer}/account`);
  const page = await account.response.clone().text();
  t.regex(page, /hana@example\.test<\/strong> \(not verified\)/);
  // The first form of the page: "Send a verification link".
  const { next: sent } = await submitForm(browser, account, {});
  t.regex(await sent.response.text(), /A verification link is on its way/);

  const link = linkIn((await smtp.next('hana@example.test')).text);
  const confirm = await new HttpBrowser(stack.issuer).follow(link);
  t.is(confirm.response.status, 200, 'a GET verifies nothing');
  const stillUnverified = await database.db('users').where({ username: 'hana' }).first();
  t.false(stillUnverified.email_verified);

  const clicker = new HttpBrowser(stack.issuer);
  const shown = await clicker.follow(link);
  const verified = await submitForm(clicker, shown, {});
  t.regex(await verified.next.response.text(), /Address verified/);

  t.is((await userinfo(await signInToApp(browser, 'hana', OLD))).email_verified, true);
  const reused = await new HttpBrowser(stack.issuer).follow(link);
  t.is(reused.response.status, 400);
});

test.serial(
  'password change: the current password first; other sessions end, this one stays',
  async (t) => {
    await createUser('ivan', 'ivan@example.test');
    const here = new HttpBrowser(stack.issuer);
    const elsewhere = new HttpBrowser(stack.issuer);
    t.true(await signInToAccount(here, 'ivan', OLD));
    t.true(await signInToAccount(elsewhere, 'ivan', OLD));

    const form = await here.follow(`${stack.issuer}/account/password`);
    t.is(form.response.status, 200);
    const wrong = await submitForm(here, form, {
      current_password: 'not-the-password',
      new_password: NEW,
      confirm_password: NEW,
    });
    t.is(wrong.next.response.status, 401);
    t.regex(await wrong.next.response.clone().text(), /The current password is not right/);
    const changed = await submitForm(here, wrong.next, {
      current_password: OLD,
      new_password: NEW,
      confirm_password: NEW,
    });
    t.regex(await changed.next.response.text(), /Password changed/);

    const mine = await here.follow(`${stack.issuer}/account`);
    t.regex(await mine.response.text(), /Apps with access to your account/, 'this session stays');
    const other = await elsewhere.follow(`${stack.issuer}/account`);
    t.regex(await other.response.text(), /name="password"/, 'the other session ended');
    t.true(await signInToAccount(new HttpBrowser(stack.issuer), 'ivan', NEW));
    const types = (
      await database
        .db('audit_events')
        .where({ subject: (await database.db('users').where({ username: 'ivan' }).first()).id })
    ).map((e) => e.type);
    t.true(types.includes('password.change_failed'));
    t.true(types.includes('password.changed'));
  },
);

test.serial('users update --email sets an unverified address; a bad one is refused', async (t) => {
  await createUser('jude', 'jude@example.test');
  const updated = await stack.cli(['users', 'update', 'jude', '--email', 'jude@new.example']);
  t.is(updated.email, 'jude@new.example');
  t.is(updated.email_verified, false);
  await t.throwsAsync(stack.cli(['users', 'update', 'jude', '--email', 'not an address']), {
    message: /not a valid email address/,
  });
  await t.throwsAsync(stack.cli(['users', 'update', 'jude']), { message: /nothing to change/ });
  const cleared = await stack.cli(['users', 'update', 'jude', '--no-email']);
  t.is(cleared.email, null);
});

test.serial('a reset link used five times at once sets the password exactly once', async (t) => {
  await createUser('kira', 'kira@example.test');
  const browser = new HttpBrowser(stack.issuer);
  await requestReset(browser, 'kira@example.test');
  const link = linkIn((await smtp.next('kira@example.test')).text);
  const form = await browser.follow(link);
  const csrf = /name="csrf" value="([^"]+)"/.exec(await form.response.text())?.[1] as string;
  const statuses = await Promise.all(
    ['one', 'two', 'three', 'four', 'five'].map((n) =>
      browser
        .request(link, {
          form: { csrf, new_password: `${NEW}-${n}`, confirm_password: `${NEW}-${n}` },
        })
        .then((response) => response.status),
    ),
  );
  t.is(statuses.filter((s) => s === 303).length, 1, statuses.join(' '));
  t.is(statuses.filter((s) => s === 400).length, 4, statuses.join(' '));
  const user = await database.db('users').where({ username: 'kira' }).first();
  t.is(
    (await database.db('audit_events').where({ type: 'password.reset', subject: user.id })).length,
    1,
  );
});
