import { randomBytes } from 'node:crypto';
import type { ResourceRecord } from '@portcullis/storage';
import test from 'ava';
import {
  checkResources,
  checkSchema,
  type DoctorFacts,
  runChecks,
  SEVERITIES,
} from '../../src/index.ts';
import { client, daysAgo, ids, NOW, soundKeys, withSecrets } from './fixtures.ts';

const resource = (fields: Partial<ResourceRecord> = {}): ResourceRecord => ({
  identifier: 'https://api.example.com',
  name: 'API',
  accessTokenTtl: 600,
  accessTokenFormat: 'jwt',
  introspectionClients: [],
  scopes: [],
  roleGatedScopes: [],
  rolesClaim: false,
  createdAt: daysAgo(30),
  ...fields,
});

const facts = (changes: Partial<DoctorFacts> = {}): DoctorFacts => ({
  now: NOW,
  configuration: {
    mode: 'production',
    env: {
      PORTCULLIS_ISSUER: 'https://auth.example.com',
      PORTCULLIS_COOKIE_KEYS: randomBytes(32).toString('base64url'),
      PORTCULLIS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
    },
    devSecrets: undefined,
  },
  policy: {
    responseTypes: ['code'],
    grantTypes: ['authorization_code'],
    codeChallengeMethods: ['S256'],
    tokenEndpointAuthMethods: ['client_secret_basic', 'none'],
    signingAlgorithms: ['ES256'],
    missingChallengeError: 'invalid_request',
    pushedAuthorizationRequestEndpoint: 'https://auth.example.com/request',
    requestObjects: false,
  },
  migrations: { applied: ['0001-initial'], pending: [] },
  database: {
    clients: [withSecrets(client())],
    registrationTokens: [],
    identityProviders: [],
    resources: [resource()],
    keys: soundKeys(),
  },
  ...changes,
});

test('a sound deployment has no findings', (t) => {
  t.deepEqual(runChecks(facts()), []);
});

test('resources whose access tokens live over an hour, JWT or opaque', (t) => {
  const findings = checkResources([
    resource({ identifier: 'https://a.example.com', accessTokenTtl: 3601 }),
    resource({
      identifier: 'https://b.example.com',
      accessTokenTtl: 86_400,
      accessTokenFormat: 'opaque',
    }),
    resource({ identifier: 'https://c.example.com', accessTokenTtl: 3600 }),
  ]);
  t.deepEqual(
    findings.map((f) => [f.id, f.severity, f.subject.id, f.fix]),
    [
      [
        'resource-access-token-ttl-long',
        'warning',
        'https://a.example.com',
        'portcullis resources update https://a.example.com --access-token-ttl 10m',
      ],
      [
        'resource-access-token-ttl-long',
        'warning',
        'https://b.example.com',
        'portcullis resources update https://b.example.com --access-token-ttl 10m',
      ],
    ],
  );
  t.regex(findings[0]?.reason ?? '', /JWT cannot be recalled/);
  t.regex(findings[1]?.reason ?? '', /live 1d/);
});

test('pending migrations: an error, and the database checks are said to be skipped', (t) => {
  const findings = checkSchema({ applied: [], pending: ['0006-x', '0007-y'] });
  t.deepEqual(
    findings.map((f) => [f.id, f.severity, f.fix]),
    [
      ['migrations-pending', 'error', 'portcullis db migrate'],
      ['database-checks-skipped', 'info', 'portcullis db migrate'],
    ],
  );
  t.regex(findings[0]?.reason ?? '', /2 pending migration\(s\) \(0006-x, 0007-y\)/);
  t.deepEqual(checkSchema({ applied: ['a'], pending: [] }), []);
});

test('every group of checks runs, and findings come errors first, then by id', (t) => {
  const findings = runChecks(
    facts({
      configuration: { mode: 'production', env: {}, devSecrets: undefined },
      database: {
        clients: [
          withSecrets(client({ id: 'z', grantTypes: ['password'], lastUsedAt: daysAgo(200) })),
          withSecrets(client({ id: 'a', redirectUris: ['http://app.example.com/cb'] }), []),
        ],
        registrationTokens: [],
        identityProviders: [],
        resources: [resource({ accessTokenTtl: 7200 })],
        keys: [soundKeys()[0]!],
      },
    }),
  );
  t.deepEqual(ids(findings), [
    'client-password-grant',
    'cookie-keys-missing',
    'key-encryption-key-missing',
    'redirect-uri-not-https',
    'client-no-live-secret',
    'client-unused',
    'resource-access-token-ttl-long',
    'signing-key-missing',
    'issuer-loopback',
  ]);
  const order = findings.map((f) => SEVERITIES.indexOf(f.severity));
  t.deepEqual(order, [...order].sort());
});

test('with pending migrations only the configuration, the policy and the schema are judged', (t) => {
  const findings = runChecks(
    facts({ migrations: { applied: [], pending: ['0001-initial'] }, database: undefined }),
  );
  t.deepEqual(ids(findings), ['migrations-pending', 'database-checks-skipped']);
});
