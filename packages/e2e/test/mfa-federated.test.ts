import { setTimeout as sleep } from 'node:timers/promises';
import { createMfaService } from '@portcullis/auth-server';
import test from 'ava';
import * as client from 'openid-client';
import {
  createCodeClient,
  HttpBrowser,
  msUntilMidStep,
  submitForm,
  totpCode,
} from '../src/index.ts';
import {
  type Federation,
  PASSWORD,
  pressProviderButton,
  startFederation,
} from './identity-provider-fixtures.ts';

// A sign-in through another identity provider is no way around a second factor: a user who has
// an authenticator app gets the code step after the provider, and the app sees both ways in
// (amr fed and otp, the mfa acr). A second Portcullis is the upstream provider ("Acme SSO").

const REDIRECT = 'http://127.0.0.1:8774/callback';
let federation: Federation;
let app: { client_id: string; client_secret: string };

test.before(async () => {
  federation = await startFederation('fed-local');
  app = await createCodeClient(federation.downstream, 'Notes', REDIRECT, 'openid notes:read', [
    '--first-party',
  ]);
  await federation.downstream.cli(['idps', 'update', 'Acme SSO', '--jit']);
});
test.after.always(async () => {
  await federation?.stop();
});

// An app's sign-in at ours through Acme SSO as bob; returns where our side answered.
async function throughAcme() {
  const { downstream, upstream } = federation;
  const started = await pressProviderButton(downstream.issuer, app, REDIRECT, 'Acme SSO');
  const theirs = new HttpBrowser(upstream.issuer);
  const login = await theirs.follow(started.out.left as string);
  const { next } = await submitForm(theirs, login, { username: 'bob', password: PASSWORD });
  return { ...started, step: await started.browser.follow(next.left as string) };
}

test.serial('a federated sign-in of a user with an app is stepped up with a code', async (t) => {
  const first = await throughAcme();
  t.truthy(first.step.left, 'no app yet: straight back to the app');
  const bob = await federation.downstreamDb.db('users').where({ username: 'bob' }).first();

  // bob sets up an app (as the account page does, with the server's key-encryption key).
  const mfa = createMfaService({
    db: federation.downstreamDb.db,
    keyEncryptionKey: federation.downstream.config.keyEncryptionKey,
    issuer: 'test',
  });
  await sleep(msUntilMidStep());
  const { secret } = await mfa.pendingTotp(bob);
  t.truthy(await mfa.confirmTotp(bob, totpCode(secret)));

  const second = await throughAcme();
  t.falsy(second.step.left, 'not back at the app with the provider alone');
  const page = await second.step.response.clone().text();
  t.regex(page, /Enter your code/);
  t.notRegex(page, /name="password"/, 'bob has no password to give here');
  const { next } = await submitForm(second.browser, second.step, { code: totpCode(secret, 1) });
  const tokens = await client.authorizationCodeGrant(second.config, new URL(next.left as string), {
    pkceCodeVerifier: second.verifier,
  });
  const claims = tokens.claims() as { amr?: string[]; acr?: string; sub: string };
  t.is(claims.sub, bob.id);
  t.deepEqual(claims.amr, ['fed', 'otp']);
  t.is(claims.acr, 'urn:portcullis:acr:mfa');
});
