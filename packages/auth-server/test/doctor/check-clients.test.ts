import test from 'ava';
import { checkClients, checkRedirectUris } from '../../src/index.ts';
import { client, daysAgo, ids, NOW, withSecrets } from './fixtures.ts';

const check = (...records: ReturnType<typeof client>[]) =>
  checkClients(
    records.map((r) => withSecrets(r)),
    NOW,
  );

test('a sound client has no findings', (t) => {
  t.deepEqual(check(client()), []);
});

test('password and implicit grants are errors; the fix keeps the supported grants', (t) => {
  const findings = check(
    client({
      id: 'legacy',
      grantTypes: ['authorization_code', 'implicit', 'password', 'refresh_token'],
    }),
  );
  t.deepEqual(ids(findings), ['client-implicit-grant', 'client-password-grant']);
  for (const finding of findings) {
    t.is(finding.severity, 'error');
    t.deepEqual(finding.subject, { kind: 'client', id: 'legacy', label: 'web app' });
    t.is(finding.fix, 'portcullis clients update legacy --grant authorization_code refresh_token');
  }
  t.regex(findings[0]?.reason ?? '', /RFC 9700 §2\.1\.2/);
  t.regex(findings[1]?.reason ?? '', /RFC 9700 §2\.4/);
});

test('a client left with no supported grant is to be deleted; device_code keeps its short name', (t) => {
  t.is(
    check(client({ id: 'old', grantTypes: ['password'] }))[0]?.fix,
    'portcullis clients delete old',
  );
  t.is(
    check(
      client({
        id: 'tv',
        grantTypes: ['urn:ietf:params:oauth:grant-type:device_code', 'implicit'],
      }),
    )[0]?.fix,
    'portcullis clients update tv --grant device_code',
  );
});

test('an unknown grant type is a warning', (t) => {
  const findings = check(client({ grantTypes: ['authorization_code', 'urn:example:magic'] }));
  t.deepEqual(
    findings.map((f) => [f.id, f.severity]),
    [['client-grant-unsupported', 'warning']],
  );
});

test('a public client with client_credentials is an error: make it confidential', (t) => {
  const findings = check(client({ id: 'svc', isPublic: true, grantTypes: ['client_credentials'] }));
  t.deepEqual(ids(findings), ['client-credentials-public']);
  t.is(findings[0]?.fix, 'portcullis clients update svc --confidential');
  t.regex(findings[0]?.reason ?? '', /RFC 6749 §4\.4/);
});

test('access tokens over an hour and refresh tokens over 90 days are warnings', (t) => {
  const findings = check(
    client({ id: 'slow', accessTokenTtl: 7200, refreshTokenTtl: 91 * 86_400 }),
  );
  t.deepEqual(
    findings.map((f) => [f.id, f.severity, f.fix]),
    [
      [
        'client-access-token-ttl-long',
        'warning',
        'portcullis clients update slow --access-token-ttl 10m',
      ],
      [
        'client-refresh-token-ttl-long',
        'warning',
        'portcullis clients update slow --refresh-token-ttl 30d',
      ],
    ],
  );
  t.regex(findings[0]?.reason ?? '', /live 2h, over 1h/);
  t.regex(findings[1]?.reason ?? '', /RFC 9700 §4\.14\.2/);
  // At the limits: fine. A refresh lifetime on a client without refresh tokens: irrelevant.
  t.deepEqual(check(client({ accessTokenTtl: 3600, refreshTokenTtl: 90 * 86_400 })), []);
  t.deepEqual(
    check(client({ grantTypes: ['client_credentials'], refreshTokenTtl: 365 * 86_400 })),
    [],
  );
});

test('unused for 90 days, or registered 90 days ago and never used: disable it', (t) => {
  const findings = check(
    client({ id: 'idle', lastUsedAt: daysAgo(90, 1) }),
    client({ id: 'never', createdAt: daysAgo(120), lastUsedAt: null }),
    client({ id: 'recent', lastUsedAt: daysAgo(89) }),
    client({ id: 'new', createdAt: daysAgo(5), lastUsedAt: null }),
    client({ id: 'off', lastUsedAt: daysAgo(400), disabledAt: daysAgo(300) }),
  );
  t.deepEqual(
    findings.map((f) => [f.id, f.subject.id, f.severity, f.fix]),
    [
      ['client-unused', 'idle', 'warning', 'portcullis clients disable idle'],
      ['client-unused', 'never', 'warning', 'portcullis clients disable never'],
    ],
  );
  t.regex(findings[0]?.reason ?? '', /last used 90 days ago/);
  t.regex(findings[1]?.reason ?? '', /registered 120 days ago and never used/);
});

test('client ids that need quoting are quoted in fixes', (t) => {
  t.is(
    check(client({ id: "it's", lastUsedAt: daysAgo(100) }))[0]?.fix,
    `portcullis clients disable 'it'\\''s'`,
  );
});

test('every update fix also repairs what `clients update` would refuse, so each runs alone', (t) => {
  const record = client({
    id: 'mess',
    grantTypes: ['authorization_code', 'implicit'],
    redirectUris: ['http://app.example.com/cb', 'https://*.example.com/cb'],
    accessTokenTtl: 86_400,
  });
  const findings = [...check(record), ...checkRedirectUris([withSecrets(record)])];
  const repairs = '--grant authorization_code --redirect-uri https://app.example.com/cb';
  t.deepEqual(
    findings.map((f) => [f.id, f.fix]),
    [
      ['client-implicit-grant', `portcullis clients update mess ${repairs}`],
      [
        'client-access-token-ttl-long',
        `portcullis clients update mess --access-token-ttl 10m ${repairs}`,
      ],
      ['redirect-uri-not-https', `portcullis clients update mess ${repairs}`],
      ['redirect-uri-wildcard', `portcullis clients update mess ${repairs}`],
    ],
  );
});
