import { randomBytes } from 'node:crypto';
import test from 'ava';
import { type AuthServerError, loadServerConfig } from '../src/index.ts';

const secrets = () => ({
  PORTCULLIS_COOKIE_KEYS: randomBytes(32).toString('base64url'),
  PORTCULLIS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
});

const refusal = (
  env: Record<string, string>,
  mode: 'production' | 'development' = 'production',
) => {
  try {
    loadServerConfig(env, { mode });
  } catch (error) {
    return error as AuthServerError;
  }
  return undefined;
};

test('defaults: port 3000 and issuer on localhost', (t) => {
  const config = loadServerConfig(secrets(), { mode: 'development' });
  t.is(config.port, 3000);
  t.is(config.issuer, 'http://localhost:3000');
  t.is(config.host, '127.0.0.1');
  t.false(config.trustProxy);
  t.is(
    loadServerConfig({ ...secrets(), PORTCULLIS_PORT: '3999' }, { mode: 'development' }).issuer,
    'http://localhost:3999',
  );
});

test('production refuses to start without its secrets, naming them', (t) => {
  const error = refusal({});
  t.is(error?.code, 'config_invalid');
  t.regex(
    error?.message ?? '',
    /PORTCULLIS_COOKIE_KEYS and PORTCULLIS_KEY_ENCRYPTION_KEY must be set/,
  );
  const devSecrets = {
    cookieKeys: ['x'.repeat(32)],
    keyEncryptionKey: randomBytes(32).toString('base64url'),
  };
  t.throws(() => loadServerConfig({}, { mode: 'production', devSecrets }), {
    message: /never uses development secrets/,
  });
});

test('production refuses a plain-http issuer off loopback', (t) => {
  t.regex(
    refusal({ ...secrets(), PORTCULLIS_ISSUER: 'http://auth.example.com' })?.message ?? '',
    /https in production/,
  );
  t.is(refusal({ ...secrets(), PORTCULLIS_ISSUER: 'http://127.0.0.1:3000' }), undefined);
  t.is(refusal({ ...secrets(), PORTCULLIS_ISSUER: 'https://auth.example.com' }), undefined);
});

const bad: Array<[string, Record<string, string>, RegExp]> = [
  ['a port that is not a number', { PORTCULLIS_PORT: 'eighty' }, /PORTCULLIS_PORT/],
  ['a port out of range', { PORTCULLIS_PORT: '70000' }, /PORTCULLIS_PORT/],
  ['a relative issuer', { PORTCULLIS_ISSUER: 'auth' }, /PORTCULLIS_ISSUER must be an absolute URL/],
  ['an issuer with a query', { PORTCULLIS_ISSUER: 'https://a.example/?x=1' }, /PORTCULLIS_ISSUER/],
  ['an ftp issuer', { PORTCULLIS_ISSUER: 'ftp://a.example' }, /PORTCULLIS_ISSUER/],
  ['a short cookie key', { PORTCULLIS_COOKIE_KEYS: 'short' }, /PORTCULLIS_COOKIE_KEYS/],
  [
    'a short encryption key',
    { PORTCULLIS_KEY_ENCRYPTION_KEY: 'abc' },
    /PORTCULLIS_KEY_ENCRYPTION_KEY/,
  ],
  ['a bad boolean', { PORTCULLIS_TRUST_PROXY: 'yes' }, /PORTCULLIS_TRUST_PROXY/],
];
for (const [what, env, message] of bad) {
  test(`rejects ${what} with the variable's name`, (t) => {
    const error = refusal({ ...secrets(), ...env }, 'development');
    t.is(error?.code, 'config_invalid');
    t.regex(error?.message ?? '', message);
  });
}
