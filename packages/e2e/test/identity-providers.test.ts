import { randomBytes } from 'node:crypto';
import { createIdentityProvidersService } from '@portcullis/auth-server';
import { type AuditEventType, createAuditRepository } from '@portcullis/storage';
import type { TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import {
  createCodeClient,
  formAction,
  HttpBrowser,
  inputValue,
  type Stack,
  submitForm,
} from '../src/index.ts';
import {
  createUnreachableProvider,
  type Federation,
  LOCAL_PASSWORD,
  PASSWORD,
  pressProviderButton,
  startFederation,
  subAtCallback,
} from './identity-provider-fixtures.ts';

// A second Portcullis is the upstream provider ("Acme SSO"): our side (downstream) is its client.
const REDIRECT = 'http://127.0.0.1:8771/callback';

let federation: Federation;
let upstreamDb: TestDatabase;
let downstreamDb: TestDatabase;
let upstream: Stack;
let downstream: Stack;
let app: { client_id: string; client_secret: string };
let acme: { id: string; name: string };
let upstreamClient: { client_id: string; client_secret: string };

test.before(async () => {
  federation = await startFederation('alice-here');
  ({ upstreamDb, downstreamDb, upstream, downstream, acme, upstreamClient } = federation);
  app = await createCodeClient(downstream, 'Notes', REDIRECT, 'openid notes:read', [
    '--first-party',
  ]);
});
test.after.always(async () => {
  await federation?.stop();
});

/**
 * An app's authorization at our server, signing in with `idp`'s button as `username` at the
 * upstream; `tamper` may change the URL to the provider or the one back. Returns where the
 * browser ended: the app's callback (`left`) or one of our pages.
 */
async function signInThrough(
  username: string,
  options: {
    idp?: string;
    tamper?: { toUpstream?: (url: URL) => void; back?: (url: URL) => void };
  } = {},
) {
  const started = await pressProviderButton(
    downstream.issuer,
    app,
    REDIRECT,
    options.idp ?? 'Acme SSO',
  );
  const { browser: ours, out } = started;
  if (!out.left) return { ...started, ours, step: out };
  const theirs = new HttpBrowser(upstream.issuer);
  const toUpstream = new URL(out.left);
  options.tamper?.toUpstream?.(toUpstream);
  const upstreamLogin = await theirs.follow(toUpstream.href);
  const { next } = await submitForm(theirs, upstreamLogin, { username, password: PASSWORD });
  const back = new URL(next.left as string);
  options.tamper?.back?.(back);
  const step = await ours.follow(back.href);
  return { ...started, ours, step };
}

const subOf = (result: Awaited<ReturnType<typeof signInThrough>>) =>
  subAtCallback(result.config, result.verifier, result.step.left as string);

const events = (type: AuditEventType) => createAuditRepository(downstreamDb.db).list({ type });

test.serial(
  'the login page has a button per provider; an unknown upstream account is refused while just-in-time creation is off',
  async (t) => {
    const refused = await signInThrough('bob');
    t.is(refused.step.response.status, 403);
    const page = await refused.step.response.text();
    t.regex(page, /No account here is linked to your Acme SSO account/);
    t.is(await downstreamDb.db('users').where({ username: 'bob' }).first(), undefined);
    const [event] = await events('idp.signin_refused');
    t.like(event?.details, { idp: acme.id, reason: 'not_linked' });
  },
);

test.serial(
  'with --jit the first sign-in creates a linked user; the next one finds it by the upstream sub',
  async (t) => {
    await downstream.cli(['idps', 'update', 'Acme SSO', '--jit']);
    const first = await signInThrough('bob');
    t.truthy(first.step.left, 'back at the app');
    const sub = await subOf(first);
    const bob = await downstreamDb.db('users').where({ id: sub }).first();
    t.is(bob?.username, 'bob');
    t.false(String(bob?.password_hash).length === 0);
    const created = (await events('user.created')).find((e) => e.subject === sub);
    t.like(created?.details, { via: 'identity_provider', idp: acme.id });
    t.like((await events('idp.linked')).find((e) => e.subject === sub)?.details, { by: 'jit' });

    const again = await signInThrough('bob');
    t.is(await subOf(again), sub, 'the same user, linked by the upstream sub');
    t.is((await downstreamDb.db('users').where({ username: 'bob' })).length, 1);
    const signIns = (await events('signin.succeeded')).filter((e) => e.subject === sub);
    t.is(signIns.length, 2);
    t.like(signIns[0]?.details, { idp: acme.id });
    await downstream.cli(['idps', 'update', 'Acme SSO', '--no-jit']);
  },
);

test.serial(
  'an account with the verified e-mail is linked only after its password is confirmed; a wrong one is refused',
  async (t) => {
    const result = await signInThrough('alice');
    t.is(result.step.response.status, 200);
    const page = await result.step.response.text();
    t.regex(page, /Link your account/);
    t.regex(page, /alice@example\.com/);
    const linkAction = new URL(formAction(page) as string, result.step.url).href;
    const csrf = inputValue(page, 'csrf') as string;

    const wrong = await result.ours.follow(linkAction, {
      form: { csrf, password: 'not-the-password' },
    });
    t.is(wrong.response.status, 401);
    t.regex(await wrong.response.text(), /The password is not right/);
    t.is(
      await downstreamDb
        .db('identity_provider_links')
        .where({ upstream_sub: await upstreamSub('alice') })
        .first(),
      undefined,
    );

    const right = await result.ours.follow(linkAction, {
      form: { csrf, password: LOCAL_PASSWORD },
    });
    t.truthy(right.left, 'back at the app');
    const sub = await subOf({ ...result, step: right });
    const aliceHere = await downstreamDb.db('users').where({ username: 'alice-here' }).first();
    t.is(sub, aliceHere?.id);
    t.like((await events('idp.linked')).find((e) => e.subject === sub)?.details, {
      by: 'password',
    });

    // Linked now: the next sign-in goes straight through.
    const again = await signInThrough('alice');
    t.is(await subOf(again), aliceHere?.id);
  },
);

test.serial(
  'a tampered state or nonce on the upstream leg is refused, and nobody is signed in',
  async (t) => {
    const state = await signInThrough('alice', {
      tamper: { back: (url) => url.searchParams.set('state', 'forged-state') },
    });
    t.is(state.step.response.status, 400);
    // No trip of this browser has that state.
    t.regex(await state.step.response.text(), /This sign-in has expired/);

    const nonce = await signInThrough('alice', {
      tamper: { toUpstream: (url) => url.searchParams.set('nonce', 'forged-nonce') },
    });
    t.is(nonce.step.response.status, 400);
    t.regex(await nonce.step.response.text(), /could not be verified/);
    t.is(nonce.step.left, undefined);
  },
);

test.serial(
  'a callback replayed, or in a browser without the state, or carrying an error, signs nobody in',
  async (t) => {
    let back: URL | undefined;
    const first = await signInThrough('bob', {
      tamper: {
        back: (url) => {
          back = new URL(url);
        },
      },
    });
    t.truthy(first.step.left, 'bob is linked: back at the app');
    const replayed = await first.ours.follow((back as URL).href);
    t.is(replayed.response.status, 400);
    t.regex(await replayed.response.text(), /This sign-in has expired/);
    const elsewhere = await new HttpBrowser(downstream.issuer).follow((back as URL).href);
    t.is(elsewhere.response.status, 400);
    t.regex(await elsewhere.response.text(), /This sign-in has expired/);

    const denied = await signInThrough('bob', {
      tamper: {
        back: (url) => {
          const state = url.searchParams.get('state') as string;
          url.search = new URLSearchParams({ error: 'access_denied', state }).toString();
        },
      },
    });
    t.is(denied.step.response.status, 400);
    t.regex(await denied.step.response.text(), /could not be verified/);
  },
);

test.serial('a disabled user linked to the upstream account is refused', async (t) => {
  await downstream.cli(['users', 'disable', 'bob']);
  const refused = await signInThrough('bob');
  t.is(refused.step.response.status, 403);
  t.regex(
    await refused.step.response.text(),
    /The account linked to your Acme SSO account is disabled/,
  );
  t.like((await events('idp.signin_refused')).at(-1)?.details, { reason: 'disabled' });
  await downstream.cli(['users', 'enable', 'bob']);
  t.truthy((await signInThrough('bob')).step.left);
});

test.serial(
  'an app that requires a second factor gets one after a sign-in through the provider (step-up)',
  async (t) => {
    const payroll = await createCodeClient(downstream, 'Payroll', REDIRECT, 'openid notes:read', [
      '--first-party',
      '--require-mfa',
    ]);
    const started = await pressProviderButton(downstream.issuer, payroll, REDIRECT, 'Acme SSO');
    const theirs = new HttpBrowser(upstream.issuer);
    const login = await theirs.follow(started.out.left as string);
    const { next } = await submitForm(theirs, login, { username: 'alice', password: PASSWORD });
    const step = await started.browser.follow(next.left as string);
    // alice-here (linked to alice) has no authenticator app: she sets one up before the app.
    t.is(step.left, undefined, 'not back at the app yet');
    t.regex(await step.response.text(), /Set up an authenticator app/);
  },
);

test.serial('a provider that does not answer gives a page saying so, not a 500', async (t) => {
  await createUnreachableProvider(downstream);
  const result = await signInThrough('alice', { idp: 'Down SSO' });
  t.is(result.step.response.status, 502);
  t.regex(await result.step.response.text(), /Down SSO does not answer right now/);
  await downstream.cli(['idps', 'delete', 'Down SSO', '--yes']);
  // The server keeps the login page's list of providers; the CLI's delete cleared it (NOTIFY).
  await t.throwsAsync(pressProviderButton(downstream.issuer, app, REDIRECT, 'Down SSO'), {
    message: /no "Sign in with Down SSO" button/,
  });
});

test.serial(
  'a provider whose secret was stored under another key-encryption key gets a page, not a 500',
  async (t) => {
    // As after PORTCULLIS_KEY_ENCRYPTION_KEY changed without the secret being set again.
    await createIdentityProvidersService(downstreamDb.db, randomBytes(32)).create({
      name: 'Old Key SSO',
      issuer: upstream.issuer,
      clientId: upstreamClient.client_id,
      clientSecret: upstreamClient.client_secret,
    });
    const result = await signInThrough('alice', { idp: 'Old Key SSO' });
    t.is(result.step.response.status, 503);
    t.regex(await result.step.response.text(), /Signing in with Old Key SSO is not working/);
    await downstream.cli(['idps', 'delete', 'Old Key SSO', '--yes']);
  },
);

test.serial(
  'the client secret is stored only encrypted under the key-encryption key',
  async (t) => {
    const rows = JSON.stringify(await downstreamDb.db('identity_providers').select('*'));
    t.false(rows.includes(upstreamClient.client_secret));
    t.regex(rows, /"client_secret_encrypted":"v1\./);
  },
);

async function upstreamSub(username: string): Promise<string> {
  return (await upstreamDb.db('users').where({ username }).first())?.id as string;
}
