import { type AuditEventType, createAuditRepository } from '@portcullis/storage';
import type { TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { createCodeClient, HttpBrowser, inputValue, type Stack, submitForm } from '../src/index.ts';
import {
  type Federation,
  LOCAL_PASSWORD,
  PASSWORD,
  pressProviderButton,
  startFederation,
  subAtCallback,
} from './identity-provider-fixtures.ts';

// Identity providers on /account (issue 13, item 5): the providers linked to the user, "Link"
// (the upstream leg started from /account, a second Portcullis being the provider) and "Unlink",
// refused when it would leave the user no way to sign in. Over HTTP with the real servers.

const REDIRECT = 'http://127.0.0.1:8773/callback';

let federation: Federation;
let downstreamDb: TestDatabase;
let upstream: Stack;
let downstream: Stack;
let acme: { id: string; name: string };
let app: { client_id: string; client_secret: string };

test.before(async () => {
  federation = await startFederation('alice-here');
  ({ downstreamDb, upstream, downstream, acme } = federation);
  app = await createCodeClient(downstream, 'Notes', REDIRECT, 'openid', ['--first-party']);
});
test.after.always(async () => {
  await federation?.stop();
});

const events = (type: AuditEventType) => createAuditRepository(downstreamDb.db).list({ type });

/** /account signed in as `username` in a new browser: the browser and the page. */
async function accountOf(username: string, password = LOCAL_PASSWORD) {
  const browser = new HttpBrowser(downstream.issuer);
  const login = await browser.follow(`${downstream.issuer}/account`);
  const { next } = await submitForm(browser, login, { username, password });
  return { browser, page: await next.response.text() };
}

/** Posts the account page's form whose action ends with `suffix` (its CSRF token with it). */
async function press(browser: HttpBrowser, page: string, suffix: string) {
  const action = [...page.matchAll(/<form[^>]* action="([^"]*)"/g)]
    .map((m) => m[1] as string)
    .find((a) => a.endsWith(suffix));
  if (!action) throw new Error(`no form posting to ...${suffix}`);
  return browser.follow(new URL(action, downstream.issuer).href, {
    form: { csrf: inputValue(page, 'csrf') as string },
  });
}

/** The upstream's login as `username`, then back to our callback in `ours`. */
async function atUpstream(ours: HttpBrowser, toUpstream: string, username: string) {
  const theirs = new HttpBrowser(upstream.issuer);
  const login = await theirs.follow(toUpstream);
  const { next } = await submitForm(theirs, login, { username, password: PASSWORD });
  return ours.follow(next.left as string);
}

const linkPath = (verb: 'link' | 'unlink') => `/identity-providers/${acme.id}/${verb}`;

test.serial(
  'link from /account, then sign in with the provider; unlink it again (a password is left)',
  async (t) => {
    const { browser, page } = await accountOf('alice-here');
    t.regex(page, /Sign in with another provider/);
    t.regex(page, /<strong>Acme SSO<\/strong>: Not linked/);
    const out = await press(browser, page, linkPath('link'));
    t.true(out.left?.startsWith(`${upstream.issuer}/`), 'off to the provider');
    t.regex(out.left as string, /code_challenge_method=S256/);
    t.regex(out.left as string, /[?&]state=/);

    const back = await atUpstream(browser, out.left as string, 'bob');
    t.is(back.url, `${downstream.issuer}/account`);
    const linked = await back.response.text();
    t.regex(linked, /<strong>Acme SSO<\/strong>: Linked on \d{4}-\d\d-\d\d/);
    t.regex(linked, /Unlink Acme SSO/);
    const [event] = await events('idp.linked');
    t.like(event?.details, { idp: acme.id, by: 'account' });

    // bob at the upstream now signs in here as alice-here.
    const started = await pressProviderButton(downstream.issuer, app, REDIRECT, 'Acme SSO');
    const step = await atUpstream(started.browser, started.out.left as string, 'bob');
    const sub = await subAtCallback(started.config, started.verifier, step.left as string);
    const aliceHere = await downstreamDb.db('users').where({ username: 'alice-here' }).first();
    t.is(sub, aliceHere.id);

    const unlinked = await press(browser, linked, linkPath('unlink'));
    t.regex(await unlinked.response.text(), /<strong>Acme SSO<\/strong>: Not linked/);
    const [removed] = await events('idp.unlinked');
    t.like(removed?.details, { idp: acme.id, name: 'Acme SSO' });
    t.is(removed?.subject, aliceHere.id);
    t.is(
      await downstreamDb.db('identity_provider_links').where({ user_id: aliceHere.id }).first(),
      undefined,
    );
  },
);

test.serial(
  'a user made by the provider has no password: unlinking the only provider is refused',
  async (t) => {
    await downstream.cli(['idps', 'update', 'Acme SSO', '--jit']);
    const started = await pressProviderButton(downstream.issuer, app, REDIRECT, 'Acme SSO');
    const step = await atUpstream(started.browser, started.out.left as string, 'bob');
    const sub = await subAtCallback(started.config, started.verifier, step.left as string);
    const bob = await downstreamDb.db('users').where({ id: sub }).first();
    t.is(bob.password_hash, '!none', 'no password, rather than a random one');

    // The sign-in's session is /account's too.
    const account = await started.browser.follow(`${downstream.issuer}/account`);
    const page = await account.response.text();
    t.regex(page, /Unlink Acme SSO/);
    const refused = await press(started.browser, page, linkPath('unlink'));
    t.is(refused.response.status, 400);
    const text = await refused.response.text();
    t.regex(text, /This provider cannot be unlinked/);
    t.regex(text, /Acme SSO is the only way to sign in to your account/);
    t.truthy(await downstreamDb.db('identity_provider_links').where({ user_id: sub }).first());
    t.false((await events('idp.unlinked')).some((e) => e.subject === sub));

    // No password signs in to it, not even an empty one or the marker itself.
    for (const password of ['!none', PASSWORD, 'x']) {
      const { page: answer } = await accountOf(bob.username, password);
      t.regex(answer, /The username or password is not right/, password);
    }
    await downstream.cli(['idps', 'update', 'Acme SSO', '--no-jit']);
  },
);

test.serial(
  "an upstream account that is another user's is not linked; nor after the user signed out",
  async (t) => {
    const { browser, page } = await accountOf('alice-here');
    const out = await press(browser, page, linkPath('link'));
    const taken = await atUpstream(browser, out.left as string, 'bob');
    t.is(taken.response.status, 409);
    t.regex(await taken.response.text(), /This Acme SSO account is linked to another account here/);

    // Signed out between leaving for the provider and coming back: nothing is linked.
    const again = await accountOf('alice-here');
    const trip = await press(again.browser, again.page, linkPath('link'));
    await press(again.browser, again.page, '/account/logout');
    const ended = await atUpstream(again.browser, trip.left as string, 'alice');
    t.is(ended.response.status, 400);
    t.regex(await ended.response.text(), /The sign-in that asked for this link has ended/);
    const aliceHere = await downstreamDb.db('users').where({ username: 'alice-here' }).first();
    t.is(
      await downstreamDb.db('identity_provider_links').where({ user_id: aliceHere.id }).first(),
      undefined,
    );

    // The callback works once: replayed, it finds no state.
    const replay = await accountOf('alice-here');
    const third = await press(replay.browser, replay.page, linkPath('link'));
    const theirs = new HttpBrowser(upstream.issuer);
    const login = await theirs.follow(third.left as string);
    const { next } = await submitForm(theirs, login, { username: 'alice', password: PASSWORD });
    const first = await replay.browser.follow(next.left as string);
    t.is(first.url, `${downstream.issuer}/account`);
    const second = await replay.browser.follow(next.left as string);
    t.is(second.response.status, 400);
    t.is((await events('idp.linked')).filter((e) => e.subject === aliceHere.id).length, 2);
  },
);

test.serial('the forms need their CSRF token and a signed-in user', async (t) => {
  const { browser } = await accountOf('alice-here');
  const noToken = await browser.follow(`${downstream.issuer}/account${linkPath('unlink')}`, {
    form: { csrf: 'forged' },
  });
  t.is(noToken.response.status, 403);
  const aliceHere = await downstreamDb.db('users').where({ username: 'alice-here' }).first();
  t.truthy(
    await downstreamDb.db('identity_provider_links').where({ user_id: aliceHere.id }).first(),
  );
});
