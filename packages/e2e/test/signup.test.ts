import test from 'ava';
import { cliJson, HttpBrowser, linkIn, submitForm } from '../src/index.ts';
import { PASSWORD, type SignupStack, startSignupStack } from './signup-fixtures.ts';

let fixture: SignupStack;

test.before(async () => {
  fixture = await startSignupStack('invite', 'http://127.0.0.1:8769/callback');
});
test.after.always(async () => {
  await fixture?.stop();
});

/** `portcullis users invite EMAIL ...` as an operator runs it, with the servers' settings. */
const invite = (email: string, ...args: string[]) =>
  cliJson<{ email: string; expires_at: string }>(
    {
      DATABASE_URL: fixture.database.url,
      PORTCULLIS_ISSUER: fixture.stack.issuer,
      PORTCULLIS_SIGNUP: 'invite',
      PORTCULLIS_SMTP_URL: fixture.smtp.url,
      PORTCULLIS_ACTOR: 'olga',
    },
    ['users', 'invite', email, ...args],
  );

test.serial(
  'an invitation: mailed link, username and password chosen, signed in with the address verified',
  async (t) => {
    const invited = await invite('carol@example.test', '--expires', '2d');
    t.is(invited.email, 'carol@example.test');
    const mail = await fixture.smtp.next('carol@example.test');
    t.regex(mail.subject, /invited to create an account/);
    const link = linkIn(mail.text);
    t.true(link.startsWith(`${fixture.stack.issuer}/account/signup/complete/`));

    const browser = new HttpBrowser(fixture.stack.issuer);
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

    const carol = await fixture.database.db('users').where({ username: 'carol' }).first();
    t.is(await fixture.signInToApp('carol', PASSWORD), carol.id, 'signed in to the app');
    t.is(carol.email, 'carol@example.test');
    t.true(carol.email_verified, 'the invited address is verified');

    // The link works once.
    const again = await new HttpBrowser(fixture.stack.issuer).follow(link);
    t.is(again.response.status, 400);
    t.regex(await again.response.text(), /This link does not work/);

    const [invitedEvent] = await fixture.database
      .db('audit_events')
      .where({ type: 'user.invited' });
    t.is(invitedEvent.actor, 'cli:olga');
    t.is(invitedEvent.details.email, 'carol@example.test');
    const [completed] = await fixture.database
      .db('audit_events')
      .where({ type: 'signup.completed' });
    t.deepEqual(completed.details, {
      username: 'carol',
      via: 'invitation',
      email: 'carol@example.test',
    });
    const secret = link.split('/').at(-1) as string;
    t.false(
      JSON.stringify(await fixture.database.db('signup_links')).includes(secret),
      'stored hashed',
    );
    t.false(fixture.log.text().includes(secret), 'the link is never logged');
  },
);

test.serial('an expired invitation is refused, and a taken username keeps the link', async (t) => {
  await invite('dave@example.test');
  const link = linkIn((await fixture.smtp.next('dave@example.test')).text);
  const browser = new HttpBrowser(fixture.stack.issuer);
  const form = await browser.follow(link);
  const taken = await submitForm(browser, form, {
    username: 'CAROL',
    new_password: PASSWORD,
    confirm_password: PASSWORD,
  });
  t.is(taken.next.response.status, 400);
  t.regex(await taken.next.response.clone().text(), /already exists/);
  // Past its --expires.
  await fixture.database.db('signup_links').update({ expires_at: new Date(Date.now() - 1000) });
  const late = await submitForm(browser, taken.next, {
    username: 'dave',
    new_password: PASSWORD,
    confirm_password: PASSWORD,
  });
  t.is(late.next.response.status, 400);
  t.regex(await late.next.response.text(), /This link does not work/);
  t.is(await fixture.database.db('users').where({ username: 'dave' }).first(), undefined);
  t.is(await fixture.signInToApp('dave', PASSWORD), undefined);
});

test.serial(
  'invite mode: no "Create an account" on the login page, and no /account/signup form',
  async (t) => {
    const { first } = await fixture.openLogin();
    const login = await first.response.text();
    t.regex(login, /name="password"/);
    t.notRegex(login, /Create an account/);
    t.is((await fetch(`${fixture.stack.issuer}/account/signup`)).status, 404);
  },
);
