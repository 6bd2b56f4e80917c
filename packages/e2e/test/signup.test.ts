import test from 'ava';
import {
  capturedLog,
  cliJson,
  createCodeClient,
  HttpBrowser,
  linkIn,
  type MailStack,
  type Stack,
  startMailStack,
  startSignIn,
  submitForm,
} from '../src/index.ts';

const REDIRECT = 'http://127.0.0.1:8769/callback';
const PASSWORD = 'a-password-of-my-own';

let mailStack: MailStack;
let stack: Stack;
let app: { client_id: string; client_secret: string };
const log = capturedLog();

test.before(async () => {
  mailStack = await startMailStack({ PORTCULLIS_SIGNUP: 'invite' }, { logger: log.logger });
  stack = mailStack.stack;
  app = await createCodeClient(stack, 'Sign-up Test App', REDIRECT, 'openid', ['--first-party']);
});
test.after.always(async () => {
  await mailStack?.stop();
});

/** `portcullis users invite EMAIL ...` as an operator runs it, with the servers' settings. */
const invite = (email: string, ...args: string[]) =>
  cliJson<{ email: string; expires_at: string }>(
    {
      DATABASE_URL: mailStack.database.url,
      PORTCULLIS_ISSUER: stack.issuer,
      PORTCULLIS_SIGNUP: 'invite',
      PORTCULLIS_SMTP_URL: mailStack.smtp.url,
      PORTCULLIS_ACTOR: 'olga',
    },
    ['users', 'invite', email, ...args],
  );

/** Signs `username` in to the app with openid-client: the ID token's `sub`; undefined when refused. */
async function signInToApp(username: string, password: string) {
  const browser = new HttpBrowser(stack.issuer);
  const { first, redeem } = await startSignIn(browser, stack.issuer, app, REDIRECT);
  const { next } = await submitForm(browser, first, { username, password });
  return next.left ? (await redeem(next)).sub : undefined;
}

test.serial(
  'an invitation: mailed link, username and password chosen, signed in with the address verified',
  async (t) => {
    const invited = await invite('carol@example.test', '--expires', '2d');
    t.is(invited.email, 'carol@example.test');
    const mail = await mailStack.smtp.next('carol@example.test');
    t.regex(mail.subject, /invited to create an account/);
    const link = linkIn(mail.text);
    t.true(link.startsWith(`${stack.issuer}/signup/complete/`));

    const browser = new HttpBrowser(stack.issuer);
    const form = await browser.follow(link);
    t.is(form.response.status, 200);
    t.regex(await form.response.clone().text(), /<strong>carol@example\.test<\/strong>/);
    // Passwords that differ, then a username the policy refuses: the link stays usable.
    const differ = await submitForm(browser, form, {
      username: 'carol',
      new_password: PASSWORD,
      confirm_password: `${PASSWORD}!`,
    });
    t.is(differ.next.response.status, 400);
    t.regex(await differ.next.response.clone().text(), /The two passwords differ/);
    const badName = await submitForm(browser, differ.next, {
      username: 'carol smith',
      new_password: PASSWORD,
      confirm_password: PASSWORD,
    });
    t.is(badName.next.response.status, 400);
    t.regex(await badName.next.response.clone().text(), /Username must be 1 to 64 characters/);
    const done = await submitForm(browser, badName.next, {
      username: 'carol',
      new_password: PASSWORD,
      confirm_password: PASSWORD,
    });
    t.is(done.next.response.status, 200);
    t.regex(await done.next.response.text(), /Account created/);

    const carol = await mailStack.database.db('users').where({ username: 'carol' }).first();
    t.is(await signInToApp('carol', PASSWORD), carol.id, 'signed in to the app');
    t.is(carol.email, 'carol@example.test');
    t.true(carol.email_verified, 'the invited address is verified');

    // The link works once.
    const again = await new HttpBrowser(stack.issuer).follow(link);
    t.is(again.response.status, 400);
    t.regex(await again.response.text(), /This link does not work/);

    const [invitedEvent] = await mailStack.database
      .db('audit_events')
      .where({ type: 'user.invited' });
    t.is(invitedEvent.actor, 'cli:olga');
    t.is(invitedEvent.details.email, 'carol@example.test');
    const [completed] = await mailStack.database
      .db('audit_events')
      .where({ type: 'signup.completed' });
    t.deepEqual(completed.details, {
      username: 'carol',
      via: 'invitation',
      email: 'carol@example.test',
    });
    const secret = link.split('/').at(-1) as string;
    t.false(
      JSON.stringify(await mailStack.database.db('signup_links')).includes(secret),
      'stored hashed',
    );
    t.false(log.text().includes(secret), 'the link is never logged');
  },
);

test.serial('an expired invitation is refused, and a taken username keeps the link', async (t) => {
  await invite('dave@example.test');
  const link = linkIn((await mailStack.smtp.next('dave@example.test')).text);
  const browser = new HttpBrowser(stack.issuer);
  const form = await browser.follow(link);
  const taken = await submitForm(browser, form, {
    username: 'CAROL',
    new_password: PASSWORD,
    confirm_password: PASSWORD,
  });
  t.is(taken.next.response.status, 400);
  t.regex(await taken.next.response.clone().text(), /already exists/);
  // Past its --expires.
  await mailStack.database.db('signup_links').update({ expires_at: new Date(Date.now() - 1000) });
  const late = await submitForm(browser, taken.next, {
    username: 'dave',
    new_password: PASSWORD,
    confirm_password: PASSWORD,
  });
  t.is(late.next.response.status, 400);
  t.regex(await late.next.response.text(), /This link does not work/);
  t.is(await mailStack.database.db('users').where({ username: 'dave' }).first(), undefined);
  t.is(await signInToApp('dave', PASSWORD), undefined);
});
