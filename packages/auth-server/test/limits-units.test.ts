import { randomBytes } from 'node:crypto';
import { createDatabase, isDatabaseUnavailable } from '@portcullis/storage';
import { freePort } from '@portcullis/storage/testing';
import test from 'ava';
import { type AuthServerError, loadServerConfig } from '../src/index.ts';
import { createLimitKeys } from '../src/limits/limit-keys.ts';
import { formatLimitRule, parseLimitRule } from '../src/limits/limit-rule.ts';
import { createLimits } from '../src/limits/limits.ts';

const secrets = () => ({
  PORTCULLIS_COOKIE_KEYS: randomBytes(32).toString('base64url'),
  PORTCULLIS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
});

test('a limit is failures/window with a window from 1s to 1d, or off', (t) => {
  t.deepEqual(parseLimitRule('10/1m'), { failures: 10, windowSeconds: 60 });
  t.deepEqual(parseLimitRule(' 5/15m '), { failures: 5, windowSeconds: 900 });
  t.deepEqual(parseLimitRule('3/2'), { failures: 3, windowSeconds: 2 });
  t.deepEqual(parseLimitRule('100000/1d'), { failures: 100_000, windowSeconds: 86_400 });
  t.is(parseLimitRule('off'), null);
  for (const bad of ['', '10', '/1m', '10/', '0/1m', '-1/1m', '1.5/1m', '10/0s', '10/2d']) {
    t.is(parseLimitRule(bad), undefined, bad);
  }
  for (const bad of ['100001/1m', '10/1w', '10 per minute', '10/1m/1h', 'on']) {
    t.is(parseLimitRule(bad), undefined, bad);
  }
  t.is(formatLimitRule({ failures: 10, windowSeconds: 60 }), '10/1m');
  t.is(formatLimitRule({ failures: 3, windowSeconds: 90 }), '3/90s');
});

test('the limits have defaults and are read from their settings', (t) => {
  const defaults = loadServerConfig(secrets(), { mode: 'development' }).limits;
  t.deepEqual(defaults, {
    clientAuth: { failures: 10, windowSeconds: 60 },
    clientAuthAddress: { failures: 30, windowSeconds: 60 },
    signIn: { failures: 10, windowSeconds: 900 },
    signInAddress: { failures: 100, windowSeconds: 900 },
    deviceCode: { failures: 1000, windowSeconds: 600 },
    deviceCodeAddress: { failures: 10, windowSeconds: 900 },
    signup: { failures: 3, windowSeconds: 3600 },
    signupAddress: { failures: 20, windowSeconds: 3600 },
    registrationAddress: { failures: 10, windowSeconds: 3600 },
  });
  const set = loadServerConfig(
    {
      ...secrets(),
      PORTCULLIS_LIMIT_CLIENT_AUTH: '3/10s',
      PORTCULLIS_LIMIT_CLIENT_AUTH_ADDRESS: 'off',
      PORTCULLIS_LIMIT_SIGNIN: '5/1h',
      PORTCULLIS_LIMIT_SIGNIN_ADDRESS: '',
      PORTCULLIS_LIMIT_DEVICE_CODE: 'off',
      PORTCULLIS_LIMIT_DEVICE_CODE_ADDRESS: '5/30m',
      PORTCULLIS_LIMIT_SIGNUP: 'off',
      PORTCULLIS_LIMIT_SIGNUP_ADDRESS: '50/1d',
      PORTCULLIS_LIMIT_REGISTRATION_ADDRESS: '3/1m',
    },
    { mode: 'production' },
  ).limits;
  t.deepEqual(set, {
    clientAuth: { failures: 3, windowSeconds: 10 },
    clientAuthAddress: null,
    signIn: { failures: 5, windowSeconds: 3600 },
    signInAddress: { failures: 100, windowSeconds: 900 },
    deviceCode: null,
    deviceCodeAddress: { failures: 5, windowSeconds: 1800 },
    signup: null,
    signupAddress: { failures: 50, windowSeconds: 86400 },
    registrationAddress: { failures: 3, windowSeconds: 60 },
  });
});

test('a bad limit stops the server with the setting named', (t) => {
  for (const name of [
    'PORTCULLIS_LIMIT_CLIENT_AUTH',
    'PORTCULLIS_LIMIT_CLIENT_AUTH_ADDRESS',
    'PORTCULLIS_LIMIT_SIGNIN',
    'PORTCULLIS_LIMIT_SIGNIN_ADDRESS',
    'PORTCULLIS_LIMIT_DEVICE_CODE',
    'PORTCULLIS_LIMIT_DEVICE_CODE_ADDRESS',
    'PORTCULLIS_LIMIT_REGISTRATION_ADDRESS',
  ]) {
    const error = t.throws(
      () => loadServerConfig({ ...secrets(), [name]: '10 a minute' }, { mode: 'development' }),
      undefined,
      name,
    ) as AuthServerError;
    t.is(error.code, 'config_invalid');
    t.is(
      error.message,
      `${name} must be failures/window (like 10/1m: 1 to 100000 failures, a window from 1s to 1d) or off, got "10 a minute"`,
    );
  }
});

test('account keys: one per username in any case and spacing, never the name itself', (t) => {
  const keys = createLimitKeys(randomBytes(32));
  t.is(keys.account('Alice'), keys.account(' alice '));
  t.is(keys.account('ALICE'), keys.account('alice'));
  t.not(keys.account('alice'), keys.account('alice2'));
  t.false(keys.account('hunter2-password').includes('hunter2'));
  t.regex(keys.account('alice'), /^[A-Za-z0-9_-]{43}$/);
  const sameSecret = randomBytes(32);
  t.is(
    createLimitKeys(sameSecret).account('alice'),
    createLimitKeys(Buffer.from(sameSecret)).account('alice'),
    'replicas sharing the key-encryption key share the counters',
  );
  t.not(createLimitKeys(randomBytes(32)).account('alice'), keys.account('alice'));
});

test('address keys: IPv4 as is, IPv6 by /64, anything else hashed to a bounded key', (t) => {
  const keys = createLimitKeys(randomBytes(32));
  t.is(keys.address('203.0.113.7'), '203.0.113.7');
  t.is(keys.address('::ffff:203.0.113.7'), '203.0.113.7');
  t.is(keys.address('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
  t.is(keys.address('2001:db8:1:2::ffff'), '2001:db8:1:2::/64');
  t.is(keys.address('2001:0db8:0001:0002:aaaa::1'), '2001:db8:1:2::/64');
  t.is(keys.address('2001:db8::1'), '2001:db8:0:0::/64');
  t.is(keys.address('::1'), '0:0:0:0::/64');
  t.is(keys.address('64:ff9b::192.0.2.1'), '64:ff9b:0:0::/64');
  t.not(keys.address('2001:db8:1:2::1'), keys.address('2001:db8:1:3::1'));
  const junk = keys.address(`x${'y'.repeat(5000)}`);
  t.regex(junk, /^other:[A-Za-z0-9_-]{43}$/);
  t.is(keys.address(''), keys.address(''));
  t.is(keys.client('abc'), 'abc');
  t.regex(keys.client('c'.repeat(300)), /^long:[A-Za-z0-9_-]{43}$/);
});

test('PostgreSQL unreachable: failed client authentication fails open, sign-in, user codes and sign-up fail closed', async (t) => {
  const db = createDatabase(`postgres://postgres@127.0.0.1:${await freePort()}/none`, {
    acquireTimeoutMs: 500,
  });
  t.teardown(() => db.destroy());
  const warnings: string[] = [];
  const limits = createLimits({
    db,
    config: {
      clientAuth: { failures: 1, windowSeconds: 60 },
      clientAuthAddress: { failures: 1, windowSeconds: 60 },
      signIn: { failures: 1, windowSeconds: 60 },
      signInAddress: { failures: 1, windowSeconds: 60 },
      deviceCode: { failures: 1, windowSeconds: 60 },
      deviceCodeAddress: { failures: 1, windowSeconds: 60 },
      signup: { failures: 1, windowSeconds: 60 },
      signupAddress: { failures: 1, windowSeconds: 60 },
      registrationAddress: { failures: 1, windowSeconds: 60 },
    },
    keySecret: randomBytes(32),
    audit: { record: async () => t.fail('nothing to audit') },
    logger: { info() {}, warn: (message) => warnings.push(message), error() {} },
  });
  const failed = { clientId: 'c1', address: '203.0.113.1', endpoint: 'token' };
  t.is(await limits.clientAuth.failed(failed), undefined, 'the 401 stands');
  t.is(await limits.clientAuth.failed(failed), undefined, 'uncounted, so never over');
  t.true(warnings.every((w) => w === 'could not count a failed client authentication'));
  t.true(warnings.length >= 2);
  const error = await t.throwsAsync(
    limits.signIn.begin({ username: 'alice', address: '203.0.113.1', via: 'account' }),
  );
  t.true(isDatabaseUnavailable(error), 'the login page answers 503, as for any outage');
  const userCode = await t.throwsAsync(limits.deviceCode.begin({ address: '203.0.113.1' }));
  t.true(isDatabaseUnavailable(userCode), 'the device page answers 503: no uncounted guesses');
  const signup = await t.throwsAsync(
    limits.signup.count({ email: 'a@example.test', address: '203.0.113.1' }),
  );
  t.true(isDatabaseUnavailable(signup), 'the sign-up page answers 503: no uncounted mail');
});
