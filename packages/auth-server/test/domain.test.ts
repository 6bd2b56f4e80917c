import test from 'ava';
import { cookieOptions, sessionCookieOptions } from '../src/domain/cookies.ts';
import { DEVICE_CODE_GRANT, shortGrant, storedGrant } from '../src/domain/grants.ts';
import { asUsername } from '../src/domain/users.ts';

test('asUsername trims a name of a username shape, and refuses anything else (so it is never looked up)', (t) => {
  t.is(asUsername('  alice@example.com '), 'alice@example.com');
  t.is(asUsername('a'.repeat(64)), 'a'.repeat(64));
  t.is(asUsername('a'.repeat(65)), undefined);
  t.is(asUsername('   '), undefined);
  t.is(asUsername('correct horse'), undefined);
  t.is(asUsername('hunter2!'), undefined);
});

test("storedGrant and shortGrant convert between the operator's name device_code and RFC 8628's URN", (t) => {
  t.is(storedGrant('device_code'), DEVICE_CODE_GRANT);
  t.is(shortGrant(storedGrant('device_code')), 'device_code');
  t.is(storedGrant('authorization_code'), 'authorization_code');
  t.is(shortGrant('authorization_code'), 'authorization_code');
});

test('cookies are Secure exactly when the issuer is https; the session cookie is at /, the others have no path', (t) => {
  t.deepEqual(cookieOptions('https://auth.example.com'), {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure: true,
  });
  t.false(cookieOptions('http://127.0.0.1:3000').secure);
  t.deepEqual(sessionCookieOptions('http://127.0.0.1:3000'), {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure: false,
    path: '/',
  });
});
