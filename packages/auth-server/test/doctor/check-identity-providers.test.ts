import { randomBytes } from 'node:crypto';
import { createTestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { checkIdentityProviders } from '../../src/doctor/check-identity-providers.ts';
import type { IdentityProviderFacts } from '../../src/doctor/facts.ts';
import { createIdentityProvidersService, loadDoctorFacts } from '../../src/index.ts';
import { NOW } from './fixtures.ts';

const oidc = (fields: Partial<IdentityProviderFacts> = {}): IdentityProviderFacts => ({
  id: 'idp-1',
  name: 'Acme SSO',
  kind: 'oidc',
  issuer: 'https://sso.acme.example',
  authorizationEndpoint: null,
  tokenEndpoint: null,
  apiUrl: null,
  clientId: 'portcullis',
  scope: 'openid email',
  jit: false,
  createdAt: NOW,
  updatedAt: NOW,
  decrypts: true,
  ...fields,
});

const ids = (providers: IdentityProviderFacts[], mode: 'production' | 'development') =>
  checkIdentityProviders(providers, mode).map((finding) => finding.id);

test('a sound provider, or one whose secret doctor has no key to try, finds nothing', (t) => {
  t.deepEqual(ids([oidc(), oidc({ decrypts: undefined })], 'production'), []);
});

test('a secret the key-encryption key does not decrypt is an error with the command that stores it again', (t) => {
  const [finding] = checkIdentityProviders([oidc({ decrypts: false })], 'development');
  t.like(finding, {
    id: 'identity-provider-secret-undecryptable',
    severity: 'error',
    subject: { kind: 'identity-provider', id: 'idp-1', label: 'Acme SSO' },
    fix: 'portcullis idps update idp-1 --client-secret-stdin',
  });
});

test('plain http to a provider is an error in production only, for any of its URLs', (t) => {
  const local = oidc({ issuer: 'http://127.0.0.1:9000' });
  const github = oidc({
    kind: 'github',
    issuer: null,
    authorizationEndpoint: 'https://github.example/login/oauth/authorize',
    tokenEndpoint: 'http://localhost:9000/login/oauth/access_token',
    apiUrl: 'https://github.example/api',
  });
  t.deepEqual(ids([local, github], 'production'), [
    'identity-provider-not-https',
    'identity-provider-not-https',
  ]);
  t.deepEqual(ids([local, github], 'development'), []);
  t.regex(
    checkIdentityProviders([github], 'production')[0]?.reason ?? '',
    /http:\/\/localhost:9000\/login\/oauth\/access_token/,
  );
});

test('doctor reads whether the configured key-encryption key decrypts each provider secret', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const stored = randomBytes(32);
  await createIdentityProvidersService(database.db, stored).create({
    name: 'Acme SSO',
    issuer: 'https://sso.acme.example',
    clientId: 'portcullis',
    clientSecret: 'the-secret',
  });
  const decrypts = async (kek: Buffer) => {
    const facts = await loadDoctorFacts({
      db: database.db,
      env: { PORTCULLIS_KEY_ENCRYPTION_KEY: kek.toString('base64url') },
      mode: 'development',
      dataDir: '/nonexistent',
      probe: async () => {
        throw new Error('not probed here');
      },
    });
    const [provider] = facts.database?.identityProviders ?? [];
    t.false(JSON.stringify(provider).includes('the-secret'));
    return provider?.decrypts;
  };
  t.true(await decrypts(stored));
  t.false(await decrypts(randomBytes(32)));
});
