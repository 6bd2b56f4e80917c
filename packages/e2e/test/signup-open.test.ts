import test from 'ava';
import { HttpBrowser, linkHref, linkIn, submitForm } from '../src/index.ts';
import { PASSWORD, type SignupStack, startSignupStack } from './signup-fixtures.ts';

// Open sign-up (PORTCULLIS_SIGNUP=open) against a real SMTP server: the address first, the
// account only once its mailed link is followed.
let fixture: SignupStack;

test.before(async () => {
  fixture = await startSignupStack('open', 'http://127.0.0.1:8770/callback', {
    PORTCULLIS_LIMIT_SIGNUP: '2/1h',
  });
});
test.after.always(async () => {
  await fixture?.stop();
});

const db = () => fixture.database.db;

/** "Create an account" from the app's login page, then the address: the answer. */
async function askForLink(email: string) {
  const { browser, first } = await fixture.openLogin();
  const href = linkHref(await first.response.clone().text(), /Create an account/);
  if (!href) throw new Error('no "Create an account" link on the login page');
  const form = await browser.follow(new URL(href, fixture.stack.issuer).href);
  const { next } = await submitForm(browser, form, { email });
  return {
    status: next.response.status,
    url: next.url,
    retryAfter: next.response.headers.get('retry-after'),
    page: await next.response.text(),
  };
}

/** Follows a sign-up link and creates the account: the last page's status and text. */
async function createAccount(link: string, username: string) {
  const browser = new HttpBrowser(fixture.stack.issuer);
  const form = await browser.follow(link);
  const { next } = await submitForm(browser, form, {
    username,
    new_password: PASSWORD,
    confirm_password: PASSWORD,
  });
  return { status: next.response.status, page: await next.response.text() };
}

test.serial(
  'open sign-up: the address, no account until the mailed link is followed, then sign-in works',
  async (t) => {
    const asked = await askForLink('nora@example.test');
    t.is(asked.status, 200);
    t.regex(asked.page, /Check your mail/);
    const mail = await fixture.smtp.next('nora@example.test');
    t.regex(mail.subject, /Create your account/);
    const link = linkIn(mail.text);
    t.true(link.startsWith(`${fixture.stack.issuer}/account/signup/complete/`));

    // Before the link: no account, nothing to sign in with.
    t.is(await db()('users').where({ email: 'nora@example.test' }).first(), undefined);
    t.is(
      await fixture.signInToApp('nora', PASSWORD),
      undefined,
      'refused before the address is verified',
    );

    const created = await createAccount(link, 'nora');
    t.is(created.status, 200);
    t.regex(created.page, /Account created/);
    const nora = await db()('users').where({ username: 'nora' }).first();
    t.true(nora.email_verified);
    t.is(await fixture.signInToApp('nora', PASSWORD), nora.id, 'signed in once verified');

    const [requested] = await db()('audit_events').where({ type: 'signup.requested' });
    t.is(requested.actor, 'anonymous');
    t.deepEqual(requested.details, { email: 'nora@example.test', existing_account: false });
    const [completed] = await db()('audit_events').where({ type: 'signup.completed' });
    t.is(completed.subject, nora.id);
    t.is(completed.details.via, 'signup');
    t.false(
      fixture.log.text().includes(link.split('/').at(-1) as string),
      'the link is never logged',
    );
  },
);

test.serial('two links for one address make one account', async (t) => {
  await askForLink('omar@example.test');
  await askForLink('omar@example.test');
  const first = linkIn((await fixture.smtp.next('omar@example.test')).text);
  const second = linkIn((await fixture.smtp.next('omar@example.test')).text);
  t.is((await createAccount(first, 'omar')).status, 200);
  const refused = await createAccount(second, 'omar2');
  t.is(refused.status, 400);
  t.regex(refused.page, /An account with the address omar@example\.test exists already/);
  t.is((await db()('users').where({ email: 'omar@example.test' })).length, 1);
});

test.serial('an address with an account gets the same page, and a mail saying so', async (t) => {
  await fixture.stack.cli(
    ['users', 'create', '--username', 'pia', '--password-stdin', '--email', 'pia@example.test'],
    `${PASSWORD}\n`,
  );
  const known = await askForLink('PIA@example.test');
  const unknown = await askForLink('quinn@example.test');
  t.is(known.status, unknown.status);
  t.is(known.url, unknown.url);
  t.is(known.page, unknown.page);
  const mail = await fixture.smtp.next('PIA@example.test');
  t.regex(mail.subject, /You already have an account/);
  t.false(mail.text.includes('/account/signup/complete/'), 'no link to make a second account');
  t.is(
    await db()('signup_links').whereRaw('lower(email) = ?', ['pia@example.test']).first(),
    undefined,
  );
  const requested = await db()('audit_events')
    .where({ type: 'signup.requested' })
    .whereRaw(`details->>'email' = ?`, ['PIA@example.test'])
    .first();
  t.is(requested.details.existing_account, true);
});

test.serial('a bad address is refused on the form; nothing is recorded or sent', async (t) => {
  const requests = async () =>
    (await db()('audit_events').where({ type: 'signup.requested' })).length;
  const before = await requests();
  const bad = await askForLink('not an address');
  t.is(bad.status, 400);
  t.regex(bad.page, /is not an e-mail address/);
  t.regex(bad.page, /role="alert"/);
  t.is(await requests(), before);
});

test.serial(
  'per-address limit: past PORTCULLIS_LIMIT_SIGNUP a 429 page, and no mail',
  async (t) => {
    for (const _ of [1, 2]) t.is((await askForLink('rita@example.test')).status, 200);
    const refused = await askForLink('Rita@Example.test');
    t.is(refused.status, 429);
    t.truthy(Number(refused.retryAfter) > 0);
    t.regex(refused.page, /Too many requests/);
    t.regex(refused.page, /Nothing was sent/);
    await fixture.smtp.next('rita@example.test');
    await fixture.smtp.next('rita@example.test');
    t.is(
      fixture.smtp.mails.filter((mail) => mail.to.toLowerCase() === 'rita@example.test').length,
      2,
    );
    const hit = await db()('audit_events').where({ type: 'rate_limit.hit' }).first();
    t.is(hit.details.limit, 'signup');
    t.is(hit.details.key, 'account');
    t.false(JSON.stringify(hit).includes('rita'), 'the address typed is not in the limit event');
  },
);
