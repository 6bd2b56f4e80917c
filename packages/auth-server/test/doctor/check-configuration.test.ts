import { randomBytes } from 'node:crypto';
import test from 'ava';
import { type ConfigurationFacts, checkConfiguration } from '../../src/index.ts';
import { ids } from './fixtures.ts';

const random = () => randomBytes(32).toString('base64url');

/** A production environment `serve` starts with and doctor finds nothing in. */
const sound = (): Record<string, string> => ({
  PORTCULLIS_ISSUER: 'https://auth.example.com',
  PORTCULLIS_COOKIE_KEYS: `${random()},${random()}`,
  PORTCULLIS_KEY_ENCRYPTION_KEY: random(),
});

const production = (
  env: Record<string, string | undefined>,
  devSecrets?: ConfigurationFacts['devSecrets'],
) => checkConfiguration({ mode: 'production', env, devSecrets });
const development = (env: Record<string, string | undefined>) =>
  checkConfiguration({ mode: 'development', env, devSecrets: undefined });

test('a sound production configuration has no findings', (t) => {
  t.deepEqual(production(sound()), []);
});

test('production without secrets: both are errors, each with the variable to set', (t) => {
  const findings = production({ PORTCULLIS_ISSUER: 'https://auth.example.com' });
  t.deepEqual(ids(findings), ['cookie-keys-missing', 'key-encryption-key-missing']);
  for (const finding of findings) {
    t.is(finding.severity, 'error');
    t.is(finding.subject.kind, 'setting');
    t.true(finding.fix?.startsWith(`${finding.subject.id}=$(node -e`), finding.fix ?? '');
    t.regex(finding.reason, /docs\/security\.md/);
  }
});

test('development needs no secrets in the environment: dev generates them', (t) => {
  t.deepEqual(development({}), []);
});

test('issuer: plain http off loopback is an error in production, a warning in dev', (t) => {
  const env = { ...sound(), PORTCULLIS_ISSUER: 'http://auth.example.com' };
  const [prod] = production(env);
  t.is(prod?.id, 'issuer-not-https');
  t.is(prod?.severity, 'error');
  t.regex(prod?.reason ?? '', /RFC 9700 §2\.6/);
  t.is(prod?.fix, 'PORTCULLIS_ISSUER=https://auth.example.com');
  t.deepEqual(
    development(env).map((f) => [f.id, f.severity]),
    [['issuer-not-https', 'warning']],
  );
});

test('issuer: loopback http is only a note in production, and fine in dev', (t) => {
  for (const issuer of ['http://localhost:3000', 'http://127.0.0.1:3000', 'http://[::1]:3000']) {
    const findings = production({ ...sound(), PORTCULLIS_ISSUER: issuer });
    t.deepEqual(
      findings.map((f) => [f.id, f.severity]),
      [['issuer-loopback', 'info']],
      issuer,
    );
    t.deepEqual(development({ PORTCULLIS_ISSUER: issuer }), []);
  }
  // Unset: the default issuer is http://localhost:$PORTCULLIS_PORT.
  const { PORTCULLIS_ISSUER: _, ...rest } = sound();
  t.regex(production({ ...rest, PORTCULLIS_PORT: '8080' })[0]?.reason ?? '', /localhost:8080/);
});

test('issuer: not an https URL without query, fragment or credentials is an error', (t) => {
  for (const issuer of [
    'auth.example.com',
    'ftp://auth.example.com',
    'https://auth.example.com/?tenant=1',
    'https://auth.example.com/#x',
    'https://user:pw@auth.example.com',
  ]) {
    const findings = production({ ...sound(), PORTCULLIS_ISSUER: issuer });
    t.deepEqual(ids(findings), ['issuer-invalid'], issuer);
    t.is(findings[0]?.severity, 'error');
  }
});

test('cookie keys shorter than 32 characters, in either mode', (t) => {
  const env = { ...sound(), PORTCULLIS_COOKIE_KEYS: `${random()}, short` };
  t.deepEqual(ids(production(env)), ['cookie-key-short']);
  t.deepEqual(ids(development(env)), ['cookie-key-short']);
  t.deepEqual(ids(production({ ...sound(), PORTCULLIS_COOKIE_KEYS: 'x'.repeat(32) })), []);
});

test('a key-encryption key that is not base64url of 32 bytes', (t) => {
  for (const kek of ['short', randomBytes(31).toString('base64url'), `${random()}=`, 'a b']) {
    t.deepEqual(
      ids(production({ ...sound(), PORTCULLIS_KEY_ENCRYPTION_KEY: kek })),
      ['key-encryption-key-invalid'],
      kek,
    );
  }
});

test("production using the data folder's development secrets", (t) => {
  const devSecrets = { cookieKeys: [random()], keyEncryptionKey: random() };
  const env = {
    ...sound(),
    PORTCULLIS_COOKIE_KEYS: `${random()},${devSecrets.cookieKeys[0]}`,
    PORTCULLIS_KEY_ENCRYPTION_KEY: devSecrets.keyEncryptionKey,
  };
  const findings = production(env, devSecrets);
  t.deepEqual(
    findings.map((f) => [f.id, f.subject.id, f.severity]),
    [
      ['dev-secrets-in-use', 'PORTCULLIS_COOKIE_KEYS', 'error'],
      ['dev-secrets-in-use', 'PORTCULLIS_KEY_ENCRYPTION_KEY', 'error'],
    ],
  );
  // A new key-encryption key needs new signing keys: no single command does that.
  t.is(findings[1]?.fix, null);
  // Other secrets than the data folder's are fine even with the file present.
  t.deepEqual(production(sound(), devSecrets), []);
  // dev is meant to use them.
  t.deepEqual(checkConfiguration({ mode: 'development', env: {}, devSecrets }), []);
});

test('refresh-reuse grace over 30 s and the janitor switched off are notes', (t) => {
  const findings = production({
    ...sound(),
    PORTCULLIS_REFRESH_REUSE_GRACE_SECONDS: '45',
    PORTCULLIS_JANITOR_INTERVAL: 'off',
  });
  t.deepEqual(
    findings.map((f) => [f.id, f.severity, f.fix]),
    [
      ['refresh-reuse-grace-long', 'info', 'PORTCULLIS_REFRESH_REUSE_GRACE_SECONDS=10'],
      ['janitor-off', 'info', 'PORTCULLIS_JANITOR_INTERVAL=1h'],
    ],
  );
  t.deepEqual(production({ ...sound(), PORTCULLIS_REFRESH_REUSE_GRACE_SECONDS: '30' }), []);
});

test('anything else serve would refuse is reported in its own words', (t) => {
  const [finding, ...rest] = production({ ...sound(), PORTCULLIS_TRUST_PROXY: 'yes' });
  t.deepEqual(rest, []);
  t.is(finding?.id, 'config-invalid');
  t.is(finding?.severity, 'error');
  t.is(finding?.subject.id, 'PORTCULLIS_TRUST_PROXY');
  t.regex(finding?.reason ?? '', /portcullis serve` refuses to start .*true or false/);
  t.regex(
    development({ PORTCULLIS_JANITOR_INTERVAL: 'weekly' })[0]?.reason ?? '',
    /portcullis dev` refuses .*PORTCULLIS_JANITOR_INTERVAL/,
  );
});

test('the subject of a refusal is the setting the error names, whatever its message says', (t) => {
  // The message names the misspelt variable first and the setting it resembles after; the
  // subject is the variable to fix, exactly as written.
  const [finding] = production({ ...sound(), PORTCULLIS_Trust_Proxy: 'true' });
  t.is(finding?.id, 'config-invalid');
  t.is(finding?.subject.id, 'PORTCULLIS_Trust_Proxy');
  t.regex(finding?.reason ?? '', /did you mean PORTCULLIS_TRUST_PROXY\?/);
});
