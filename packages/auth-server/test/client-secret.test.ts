import test from 'ava';
import { generateClientSecret, hashClientSecret, verifyClientSecret } from '../src/index.ts';

test('secrets are 256 random bits and never repeat', (t) => {
  const secrets = new Set(Array.from({ length: 100 }, generateClientSecret));
  t.is(secrets.size, 100);
  for (const s of secrets) t.is(Buffer.from(s, 'base64url').length, 32);
});

test('the hash verifies the secret and nothing else', (t) => {
  const secret = generateClientSecret();
  const hash = hashClientSecret(secret);
  t.false(hash.includes(secret));
  t.true(verifyClientSecret(secret, hash));
  t.false(verifyClientSecret(`${secret}x`, hash));
  t.false(verifyClientSecret('', hash));
  t.false(verifyClientSecret(secret, hash.replace('sha256$', 'md5$')));
  t.false(verifyClientSecret(secret, 'sha256$'));
});
